namespace Postbote.TestSupport;

/// <summary>A mail transaction as a <see cref="ScriptedSmtpPeer"/> received it.</summary>
public sealed class PeerTransaction
{
    /// <summary>The MAIL command line as received.</summary>
    public string MailCommand { get; set; } = "";

    /// <summary>Every RCPT command line as received.</summary>
    public List<string> RcptCommands { get; } = new();

    /// <summary>Addresses whose RCPT was accepted.</summary>
    public List<string> AcceptedRecipients { get; } = new();

    /// <summary>The message content with dot-stuffing undone, without the final dot line; null when DATA did not complete.</summary>
    public byte[]? Data { get; set; }

    /// <summary>True when the RCPT lines were already received when the MAIL reply was sent (the client pipelined).</summary>
    public bool RcptPipelinedWithMail { get; set; }

    /// <summary>True when the transaction ran over TLS.</summary>
    public bool OverTls { get; set; }
}
