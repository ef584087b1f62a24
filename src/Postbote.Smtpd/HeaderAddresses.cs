using MimeKit;

namespace Postbote.Smtpd;

/// <summary>Extracts the mailbox addresses of an address header field (From:, Sender:) with MimeKit's parser.</summary>
public static class HeaderAddresses
{
    /// <summary>
    /// The addr-specs of every mailbox in the field (those inside a group too); empty when the value does not parse
    /// or names no mailbox, which a caller judging ownership must treat as "cannot be judged", never as "nothing to check".
    /// </summary>
    public static IReadOnlyList<string> Extract(string fieldValue)
    {
        if (!InternetAddressList.TryParse(ParserOptions.Default, fieldValue, out var list)) return [];
        return list.Mailboxes.Select(m => m.Address).ToList();
    }
}
