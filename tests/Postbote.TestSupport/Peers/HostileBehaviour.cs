namespace Postbote.TestSupport.Peers;

/// <summary>How a <see cref="HostileSmtpPeer"/> misbehaves on every connection: the broken or hostile MX hosts a queue meets on the Internet.</summary>
public enum HostileBehaviour
{
    /// <summary>Accepts the TCP connection and never says a word (reads and discards until the client hangs up).</summary>
    BlackHole,
    /// <summary>Answers like a real server, one byte a second (greeting, then every reply).</summary>
    Tarpit,
    /// <summary>Greets with "421 4.3.2 Service not available" and closes.</summary>
    Refuse421,
    /// <summary>Greets, answers EHLO and MAIL, then closes the connection on the first RCPT without a reply.</summary>
    DropAfterRcpt,
}
