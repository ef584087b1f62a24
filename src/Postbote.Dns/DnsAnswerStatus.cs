namespace Postbote.Dns;

/// <summary>How a DNS query ended, in the terms delivery needs (RFC 2308 for NXDOMAIN/NODATA).</summary>
public enum DnsAnswerStatus
{
    /// <summary>The name exists and records of the asked type were returned.</summary>
    Success,
    /// <summary>The name exists but has no record of the asked type (NOERROR, empty answer).</summary>
    NoData,
    /// <summary>The name does not exist (RCODE 3, NXDOMAIN): a permanent condition.</summary>
    NxDomain,
    /// <summary>SERVFAIL, REFUSED, timeout or an unreachable server: try again later.</summary>
    TemporaryFailure,
}
