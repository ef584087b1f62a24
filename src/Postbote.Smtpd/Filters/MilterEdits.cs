using Postbote.Queue;

namespace Postbote.Smtpd.Filters;

/// <summary>
/// Applies the changes a filter sent before its final answer at end of message (smfi_addheader, smfi_insheader,
/// smfi_chgheader, smfi_addrcpt(_par), smfi_delrcpt, smfi_chgfrom, smfi_replacebody, smfi_quarantine) to the
/// <see cref="FilteredMessage"/>. A change the filter did not negotiate, or an address that is not a mailbox, is a
/// protocol error (the filter fails as a whole).
/// </summary>
public static class MilterEdits
{
    public static void Apply(IReadOnlyList<MilterPacket> edits, FilteredMessage message, MilterNegotiation negotiated, long maxBodyBytes)
    {
        bool leadingSpace = negotiated.Has(MilterSteps.HeaderLeadingSpace);
        MemoryStream? body = null;
        // Checked first: nothing is applied from a filter whose changes are not all acceptable.
        foreach (var edit in edits) Require(negotiated, edit.Command);
        foreach (var edit in edits)
        {
            var f = edit.Fields();
            switch (edit.Command)
            {
                case MilterProtocol.AddHeader:
                {
                    var name = HeaderName(f.String());
                    message.Add(HeaderField.FromFilter(name, f.String(required: false), leadingSpace));
                    break;
                }
                case MilterProtocol.InsertHeader:
                {
                    int index = (int)Math.Min(f.UInt32(), int.MaxValue);
                    var name = HeaderName(f.String());
                    message.Insert(index, HeaderField.FromFilter(name, f.String(required: false), leadingSpace));
                    break;
                }
                case MilterProtocol.ChangeHeader:
                {
                    int index = (int)Math.Min(f.UInt32(), int.MaxValue);
                    var name = HeaderName(f.String());
                    var value = f.String(required: false);
                    message.Change(name, index, value.Length == 0 ? null : HeaderField.FromFilter(name, value, leadingSpace));
                    break;
                }
                case MilterProtocol.AddRecipient:
                case MilterProtocol.AddRecipientWithArgs:
                    message.AddedRecipients.Add(Mailbox(f.String(required: false)));
                    break;
                case MilterProtocol.DeleteRecipient:
                    message.DeletedRecipients.Add(Unbracket(f.String(required: false)));
                    break;
                case MilterProtocol.ChangeFrom:
                {
                    var sender = Unbracket(f.String(required: false));
                    if (sender.Length != 0 && !EnvelopeAddressGuard.IsValidMailbox(sender))
                        throw new MilterProtocolException($"change of sender to <{sender}>, not a mailbox");
                    message.NewSender = sender;
                    break;
                }
                case MilterProtocol.ReplaceBody:
                    body ??= new MemoryStream();
                    if (body.Length + edit.Data.Length > maxBodyBytes) throw new MilterProtocolException("replacement body over the message size limit");
                    body.Write(edit.Data.Span);
                    break;
                case MilterProtocol.Quarantine:
                    message.QuarantineReason = FilterText.Printable(f.String(required: false));
                    break;
            }
        }
        if (body is not null) message.ReplacementBody = WithCrlf(body.GetBuffer().AsSpan(0, (int)body.Length));
    }

    private static void Require(MilterNegotiation n, byte command)
    {
        var needed = command switch
        {
            MilterProtocol.AddHeader or MilterProtocol.InsertHeader => MilterActions.AddHeaders,
            MilterProtocol.ChangeHeader => MilterActions.ChangeHeaders,
            MilterProtocol.AddRecipient => MilterActions.AddRecipients,
            MilterProtocol.AddRecipientWithArgs => MilterActions.AddRecipientsWithArgs,
            MilterProtocol.DeleteRecipient => MilterActions.DeleteRecipients,
            MilterProtocol.ChangeFrom => MilterActions.ChangeFrom,
            MilterProtocol.ReplaceBody => MilterActions.ChangeBody,
            _ => MilterActions.Quarantine,
        };
        if (!n.May(needed)) throw new MilterProtocolException($"'{(char)command}' without negotiating {needed}");
    }

    /// <summary>RFC 5322 §2.2 field name: printable ASCII but colon, 1 to 998 octets.</summary>
    private static string HeaderName(string name)
    {
        if (name.Length is 0 or > 998 || name.Any(c => c is <= ' ' or > '~' or ':')) throw new MilterProtocolException($"bad header name '{FilterText.Printable(name)}'");
        return name;
    }

    private static string Mailbox(string text)
    {
        var address = Unbracket(text);
        if (!EnvelopeAddressGuard.IsValidMailbox(address)) throw new MilterProtocolException($"recipient <{FilterText.Printable(address)}> is not a mailbox");
        return address;
    }

    private static string Unbracket(string text)
    {
        text = text.Trim();
        return text.Length >= 2 && text[0] == '<' && text[^1] == '>' ? text[1..^1] : text;
    }

    /// <summary>Line ends as stored (CRLF): a bare LF or CR from the filter becomes CRLF.</summary>
    public static byte[] WithCrlf(ReadOnlySpan<byte> body)
    {
        var output = new List<byte>(body.Length + body.Length / 40 + 2);
        for (int i = 0; i < body.Length; i++)
        {
            byte b = body[i];
            if (b == '\r')
            {
                output.Add((byte)'\r');
                output.Add((byte)'\n');
                if (i + 1 < body.Length && body[i + 1] == '\n') i++;
            }
            else if (b == '\n')
            {
                output.Add((byte)'\r');
                output.Add((byte)'\n');
            }
            else output.Add(b);
        }
        return output.ToArray();
    }
}
