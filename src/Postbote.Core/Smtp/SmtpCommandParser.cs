using System.Buffers.Binary;

namespace Postbote.Core.Smtp;

/// <summary>
/// Recognises the verb of a command line without allocating (EXAMPLES.md pattern 1): the first four
/// bytes are read as a little-endian <see cref="uint"/>, case-folded with 0x20202020 and compared with constants.
/// </summary>
public static class SmtpCommandParser
{
    private const uint CaseFold = 0x20202020;

    private static uint Key(string s) => BinaryPrimitives.ReadUInt32LittleEndian(System.Text.Encoding.ASCII.GetBytes(s)) | CaseFold;

    private static readonly uint Helo = Key("helo"), Ehlo = Key("ehlo"), Mail = Key("mail"), Rcpt = Key("rcpt"),
        Data = Key("data"), Bdat = Key("bdat"), Rset = Key("rset"), Noop = Key("noop"), Quit = Key("quit"),
        Vrfy = Key("vrfy"), Expn = Key("expn"), Help = Key("help"), Auth = Key("auth"), Etrn = Key("etrn"),
        Star = Key("star"), Lhlo = Key("lhlo"), Get = Key("get "), Post = Key("post"), Conn = Key("conn"), Head = Key("head"), Put = Key("put ");

    /// <summary>
    /// Splits a command line (without CRLF) into its verb and the argument after the separating space.
    /// The argument is returned with surrounding spaces trimmed; it is empty when there is none.
    /// </summary>
    public static SmtpVerb Parse(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> argument)
    {
        argument = default;
        if (line.Length < 4) return SmtpVerb.Unknown;
        uint key = BinaryPrimitives.ReadUInt32LittleEndian(line) | CaseFold;
        int verbLength = 4;
        SmtpVerb verb;
        if (key == Mail) verb = SmtpVerb.Mail;
        else if (key == Rcpt) verb = SmtpVerb.Rcpt;
        else if (key == Ehlo) verb = SmtpVerb.Ehlo;
        else if (key == Data) verb = SmtpVerb.Data;
        else if (key == Bdat) verb = SmtpVerb.Bdat;
        else if (key == Rset) verb = SmtpVerb.Rset;
        else if (key == Quit) verb = SmtpVerb.Quit;
        else if (key == Helo) verb = SmtpVerb.Helo;
        else if (key == Noop) verb = SmtpVerb.Noop;
        else if (key == Auth) verb = SmtpVerb.Auth;
        else if (key == Vrfy) verb = SmtpVerb.Vrfy;
        else if (key == Expn) verb = SmtpVerb.Expn;
        else if (key == Help) verb = SmtpVerb.Help;
        else if (key == Etrn) verb = SmtpVerb.Etrn;
        else if (key == Lhlo) verb = SmtpVerb.Lhlo;
        else if (key == Star && line.Length >= 8 && (BinaryPrimitives.ReadUInt64LittleEndian(line) | 0x2020202020202020UL) == StartTlsKey)
        {
            verb = SmtpVerb.StartTls;
            verbLength = 8;
        }
        else if (key == Get || key == Put) return SmtpVerb.Http;
        else if (key == Post || key == Conn || key == Head)
        {
            return line.Length == 4 || line[4] == (byte)' ' || key == Conn ? SmtpVerb.Http : SmtpVerb.Unknown;
        }
        else return SmtpVerb.Unknown;

        if (line.Length > verbLength)
        {
            // The verb must be followed by a space (or end of line): "MAILX" is not MAIL.
            if (line[verbLength] != (byte)' ') return SmtpVerb.Unknown;
            argument = line[(verbLength + 1)..].Trim((byte)' ');
        }
        return verb;
    }

    private static readonly ulong StartTlsKey = BinaryPrimitives.ReadUInt64LittleEndian("starttls"u8);
}
