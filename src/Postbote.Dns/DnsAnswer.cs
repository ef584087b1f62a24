using ARSoft.Tools.Net.Dns;

namespace Postbote.Dns;

/// <summary>The outcome of one DNS query: a status and the answer records of the asked type.</summary>
/// <param name="Status">How the query ended.</param>
/// <param name="Records">Answer records of the asked type (CNAMEs followed by the server are filtered out).</param>
/// <param name="Detail">A short reason for the log, e.g. "SERVFAIL from 127.0.0.1:53" or "timeout".</param>
public sealed record DnsAnswer(DnsAnswerStatus Status, IReadOnlyList<DnsRecordBase> Records, string Detail)
{
    /// <summary>The answer records of type <typeparamref name="T"/>.</summary>
    public IEnumerable<T> RecordsOf<T>() where T : DnsRecordBase => Records.OfType<T>();
}
