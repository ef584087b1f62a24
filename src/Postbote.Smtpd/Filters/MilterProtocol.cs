namespace Postbote.Smtpd.Filters;

/// <summary>
/// The Sendmail/Postfix milter protocol, version 6 (libmilter's mfdef.h, Postfix MILTER_README): the command bytes
/// the MTA sends, the response bytes a filter answers, and the negotiation flags. Every packet on the wire is a
/// 32-bit big-endian length (counting the command byte), the command byte, and its data.
/// </summary>
public static class MilterProtocol
{
    public const uint Version = 6;

    /// <summary>The largest body chunk sent in one SMFIC_BODY (libmilter MILTER_CHUNK_SIZE).</summary>
    public const int BodyChunkSize = 65535;

    // Commands (MTA → filter).
    public const byte Abort = (byte)'A';
    public const byte Body = (byte)'B';
    public const byte Connect = (byte)'C';
    public const byte Macro = (byte)'D';
    public const byte EndOfBody = (byte)'E';
    public const byte Helo = (byte)'H';
    public const byte QuitNewConnection = (byte)'K';
    public const byte Header = (byte)'L';
    public const byte Mail = (byte)'M';
    public const byte EndOfHeaders = (byte)'N';
    public const byte OptionNegotiation = (byte)'O';
    public const byte Quit = (byte)'Q';
    public const byte Rcpt = (byte)'R';
    public const byte Data = (byte)'T';
    public const byte Unknown = (byte)'U';

    // Responses (filter → MTA).
    public const byte AddRecipient = (byte)'+';
    public const byte DeleteRecipient = (byte)'-';
    public const byte AddRecipientWithArgs = (byte)'2';
    public const byte Shutdown = (byte)'4';
    public const byte Accept = (byte)'a';
    public const byte ReplaceBody = (byte)'b';
    public const byte Continue = (byte)'c';
    public const byte Discard = (byte)'d';
    public const byte ChangeFrom = (byte)'e';
    public const byte ConnectionFailure = (byte)'f';
    public const byte AddHeader = (byte)'h';
    public const byte InsertHeader = (byte)'i';
    public const byte SetSymbolList = (byte)'l';
    public const byte ChangeHeader = (byte)'m';
    public const byte Progress = (byte)'p';
    public const byte Quarantine = (byte)'q';
    public const byte Reject = (byte)'r';
    public const byte Skip = (byte)'s';
    public const byte TempFail = (byte)'t';
    public const byte ReplyCode = (byte)'y';

    /// <summary>The macro stages of SMFIR_SETSYMLIST (libmilter SMFIM_*), in wire order.</summary>
    public enum MacroStage { Connect = 0, Helo = 1, Mail = 2, Rcpt = 3, Data = 4, EndOfMessage = 5, EndOfHeaders = 6 }

    /// <summary>The command byte a stage's macros are sent with (SMFIC_MACRO's first data byte).</summary>
    public static byte CommandOf(MacroStage stage) => stage switch
    {
        MacroStage.Connect => Connect,
        MacroStage.Helo => Helo,
        MacroStage.Mail => Mail,
        MacroStage.Rcpt => Rcpt,
        MacroStage.Data => Data,
        MacroStage.EndOfMessage => EndOfBody,
        _ => EndOfHeaders,
    };
}

/// <summary>What a filter may do to a message (SMFIF_*): offered by the MTA, asked for by the filter.</summary>
[Flags]
public enum MilterActions : uint
{
    None = 0,
    AddHeaders = 0x01,
    ChangeBody = 0x02,
    AddRecipients = 0x04,
    DeleteRecipients = 0x08,
    ChangeHeaders = 0x10,
    Quarantine = 0x20,
    ChangeFrom = 0x40,
    AddRecipientsWithArgs = 0x80,
    SetSymbolList = 0x100,
    All = 0x1FF,
}

/// <summary>
/// Protocol steps (SMFIP_*): the filter asks the MTA not to send an event (No*), not to wait for a reply to it
/// (NoReply*), and whether it may answer SMFIR_SKIP during the body.
/// </summary>
[Flags]
public enum MilterSteps : uint
{
    None = 0,
    NoConnect = 0x1,
    NoHelo = 0x2,
    NoMail = 0x4,
    NoRcpt = 0x8,
    NoBody = 0x10,
    NoHeaders = 0x20,
    NoEndOfHeaders = 0x40,
    NoReplyHeader = 0x80,
    NoUnknown = 0x100,
    NoData = 0x200,
    Skip = 0x400,
    RcptRejected = 0x800,
    NoReplyConnect = 0x1000,
    NoReplyHelo = 0x2000,
    NoReplyMail = 0x4000,
    NoReplyRcpt = 0x8000,
    NoReplyData = 0x10000,
    NoReplyUnknown = 0x20000,
    NoReplyEndOfHeaders = 0x40000,
    NoReplyBody = 0x80000,
    HeaderLeadingSpace = 0x100000,

    /// <summary>What Postbote offers: every step may be left out or left unanswered, SKIP, and leading spaces
    /// kept (not RcptRejected: refused recipients are not shown to filters).</summary>
    Offered = NoConnect | NoHelo | NoMail | NoRcpt | NoBody | NoHeaders | NoEndOfHeaders | NoReplyHeader | NoUnknown | NoData
        | Skip | NoReplyConnect | NoReplyHelo | NoReplyMail | NoReplyRcpt | NoReplyData | NoReplyUnknown | NoReplyEndOfHeaders
        | NoReplyBody | HeaderLeadingSpace,
}
