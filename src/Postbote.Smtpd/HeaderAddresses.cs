using MimeKit;

namespace Postbote.Smtpd;

/// <summary>Extracts the mailbox addresses of an address header field (From:, Sender:) with MimeKit's parser.</summary>
public static class HeaderAddresses
{
    public static IReadOnlyList<string> Extract(string fieldValue)
    {
        if (!InternetAddressList.TryParse(ParserOptions.Default, fieldValue, out var list)) return new[] { fieldValue.Trim() };
        return list.Mailboxes.Select(m => m.Address).ToList();
    }
}
