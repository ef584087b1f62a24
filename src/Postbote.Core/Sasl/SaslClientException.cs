namespace Postbote.Core.Sasl;

/// <summary>The server's side of a SASL exchange was malformed or failed verification (e.g. a wrong SCRAM server signature).</summary>
public sealed class SaslClientException : Exception
{
    public SaslClientException(string message) : base(message) { }
}
