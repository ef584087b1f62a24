namespace Postbote.Core.Smtp;

/// <summary>
/// Every reply the server sends, built in one place (RFC 5321 §4.2.2 codes, RFC 3463/5248 enhanced codes).
/// Client-visible text never discloses internals; the log gets the reason.
/// </summary>
public static class SmtpReplies
{
    // Session limits and ETRN (issue 11, session hardening)
    public static SmtpReply DataTooSlow(string hostname) => new(421, "4.4.2", $"{hostname} Error: data transfer too slow");
    public static SmtpReply SessionTooLong(string hostname) => new(421, "4.4.2", $"{hostname} Error: session time limit exceeded");
    public static SmtpReply TooManyChunks { get; } = new(552, "5.3.4", "Error: too many BDAT chunks in one message");
    public static SmtpReply EtrnStarted { get; } = new(250, "2.0.0", "Queuing started");
    public static SmtpReply EtrnTooFrequent { get; } = new(458, "4.7.0", "Error: too many ETRN requests, try again later");

    public static SmtpReply Greeting(string hostname) => new(220, null, $"{hostname} ESMTP Postbote");
    public static SmtpReply Helo(string hostname) => new(250, null, hostname);
    public static SmtpReply Bye { get; } = new(221, "2.0.0", "Bye");
    public static SmtpReply Ok { get; } = new(250, "2.0.0", "Ok");
    public static SmtpReply SenderOk { get; } = new(250, "2.1.0", "Ok");
    public static SmtpReply RecipientOk { get; } = new(250, "2.1.5", "Ok");
    public static SmtpReply StartData { get; } = new(354, null, "End data with <CR><LF>.<CR><LF>");
    public static SmtpReply Queued(string queueId) => new(250, "2.0.0", $"Ok: queued as {queueId}");
    public static SmtpReply ReadyToStartTls { get; } = new(220, "2.0.0", "Ready to start TLS");
    public static SmtpReply CannotVerify { get; } = new(252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery");
    public static SmtpReply ExpnRefused { get; } = new(502, "5.5.1", "EXPN not available");
    public static SmtpReply Help { get; } = new(214, "2.0.0", "See https://www.rfc-editor.org/rfc/rfc5321 (commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH ETRN)");

    // 5.5.x: protocol and syntax (RFC 3463 §3.6)
    public static SmtpReply UnknownCommand { get; } = new(500, "5.5.2", "Error: command not recognized");
    public static SmtpReply LineTooLong { get; } = new(500, "5.5.2", "Error: line too long");
    public static SmtpReply BadSequence(string what) => new(503, "5.5.1", $"Error: {what}");
    public static SmtpReply NeedHeloFirst { get; } = BadSequence("send HELO/EHLO first");
    public static SmtpReply NeedMailFirst { get; } = BadSequence("need MAIL command");
    public static SmtpReply NeedRcptFirst { get; } = BadSequence("need RCPT command");
    public static SmtpReply NestedMail { get; } = BadSequence("nested MAIL command");
    public static SmtpReply Syntax(string usage) => new(501, "5.5.4", $"Syntax: {usage}");
    public static SmtpReply SyntaxMailFrom { get; } = Syntax("MAIL FROM:<address>");
    public static SmtpReply SyntaxRcptTo { get; } = Syntax("RCPT TO:<address>");
    public static SmtpReply SyntaxHelo { get; } = Syntax("HELO hostname");
    public static SmtpReply SyntaxEhlo { get; } = Syntax("EHLO hostname");
    public static SmtpReply NoArguments(string verb) => Syntax(verb);
    public static SmtpReply BadSenderSyntax { get; } = new(501, "5.1.7", "Bad sender address syntax");
    public static SmtpReply BadRecipientSyntax { get; } = new(501, "5.1.3", "Bad recipient address syntax");
    public static SmtpReply PathTooLong { get; } = new(501, "5.5.4", "Error: path too long");
    public static SmtpReply NeedsSmtpUtf8 { get; } = new(553, "5.6.7", "Non-ASCII address requires SMTPUTF8");
    public static SmtpReply UnknownParameter { get; } = new(555, "5.5.4", "Unsupported option");
    public static SmtpReply BadParameterValue(string key) => new(501, "5.5.4", $"Bad {key} parameter");
    public static SmtpReply HttpRefused { get; } = new(502, "5.5.1", "This is a mail server, not a web server");

    // Recipient capacity (RFC 3463 §3.3, §3.4): a full mailbox, an alias expansion over its limits; both temporary
    public static SmtpReply MailboxFull { get; } = new(452, "4.2.2", "Mailbox full, try again later");
    public static SmtpReply AliasExpansionLimit { get; } = new(451, "4.3.0", "Recipient temporarily unavailable, try again later");

    // Limits and policy
    public static SmtpReply MessageTooBig { get; } = new(552, "5.3.4", "Message size exceeds fixed limit");
    public static SmtpReply TooManyRecipients { get; } = new(452, "4.5.3", "Error: too many recipients");
    public static SmtpReply RelayDenied { get; } = new(554, "5.7.1", "Relay access denied");
    public static SmtpReply UserUnknown { get; } = new(550, "5.1.1", "User unknown in local recipient table");
    public static SmtpReply MailLoop { get; } = new(554, "5.4.6", "Too many hops (mail loop)");
    public static SmtpReply BareLineEnding { get; } = new(550, "5.6.11", "Message contains bare CR or LF characters (RFC 5321 2.3.8), refused");
    public static SmtpReply LongLines { get; } = new(550, "5.6.0", "Message contains lines longer than 998 octets (RFC 5322 2.1.1), refused");
    public static SmtpReply TooManyConnections { get; } = new(421, "4.7.0", "Too many connections, try again later");
    public static SmtpReply TooManyErrors { get; } = new(421, "4.7.0", "Too many errors, closing connection");
    public static SmtpReply Timeout(string hostname) => new(421, "4.4.2", $"{hostname} Error: timeout exceeded");
    public static SmtpReply ShuttingDown(string hostname) => new(421, "4.3.2", $"{hostname} Service shutting down, closing connection");
    public static SmtpReply LocalError { get; } = new(451, "4.3.0", "Error: queue file write error, try again later");
    public static SmtpReply InsufficientStorage { get; } = new(452, "4.3.1", "Insufficient system storage");

    // TLS and AUTH (RFC 3207, RFC 4954 §6)
    public static SmtpReply TlsAlreadyActive { get; } = BadSequence("TLS already active");
    public static SmtpReply TlsNotAvailable { get; } = new(454, "4.7.0", "TLS not available due to temporary reason");
    public static SmtpReply AuthRequired { get; } = new(530, "5.7.0", "Authentication required");
    public static SmtpReply EncryptionRequiredForAuth { get; } = new(538, "5.7.11", "Encryption required for requested authentication mechanism");
    public static SmtpReply MustIssueStartTls { get; } = new(530, "5.7.0", "Must issue a STARTTLS command first");
    public static SmtpReply AuthSucceeded { get; } = new(235, "2.7.0", "Authentication successful");
    public static SmtpReply AuthFailed { get; } = new(535, "5.7.8", "Error: authentication failed");
    public static SmtpReply AuthCancelled { get; } = new(501, "5.7.0", "Authentication aborted");
    public static SmtpReply AuthBadBase64 { get; } = new(501, "5.5.2", "Error: invalid base64 data");
    public static SmtpReply AuthUnknownMechanism { get; } = new(504, "5.5.4", "Unrecognized authentication type");
    public static SmtpReply AlreadyAuthenticated { get; } = BadSequence("already authenticated");
    public static SmtpReply AuthInTransaction { get; } = BadSequence("AUTH not permitted during a mail transaction");
    public static SmtpReply AuthNotOffered { get; } = new(503, "5.5.1", "Error: authentication not enabled");
    public static SmtpReply AuthThrottled { get; } = new(421, "4.7.0", "Too many failed authentication attempts, try again later");
    public static SmtpReply SenderNotOwned { get; } = new(553, "5.7.1", "Sender address rejected: not owned by authenticated user");
    public static SmtpReply FromHeaderNotOwned { get; } = new(553, "5.7.1", "From: header address not owned by authenticated user");

    // Sender binding and local submission (issue 11): RFC 5322 §3.6 field counts, and a judgement that fails closed
    public static SmtpReply SeveralFromFields { get; } = new(550, "5.6.0", "Message has more than one From: header field (RFC 5322 3.6), refused");
    public static SmtpReply SeveralSenderFields { get; } = new(550, "5.6.0", "Message has more than one Sender: header field (RFC 5322 3.6), refused");
    public static SmtpReply AuthorFieldsUnjudgeable { get; } = new(550, "5.6.0", "From: or Sender: header field cannot be checked, refused");
    public static SmtpReply SenderHeaderNotOwned { get; } = new(553, "5.7.1", "Sender: header address not owned by authenticated user");
}
