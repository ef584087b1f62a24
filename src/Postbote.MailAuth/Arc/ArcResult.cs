namespace Postbote.MailAuth.Arc;

/// <summary>The chain validation status of ARC (RFC 8617 §4.4): the cv= values, and the arc= result of Authentication-Results.</summary>
public enum ArcResult
{
    /// <summary>No ARC set at all.</summary>
    None,
    /// <summary>Every seal and the newest message signature verify, instances 1..N complete.</summary>
    Pass,
    /// <summary>Anything else: a broken, incomplete or failed chain.</summary>
    Fail,
}

/// <summary>
/// The outcome of validating a message's ARC chain: the result, the number of sets (N), the oldest instance whose
/// ARC-Message-Signature still verifies ("oldest-pass", RFC 8617 §5.2 step 5; 0 when all do), the newest seal's
/// domain (d=), and for a fail the reason.
/// </summary>
public sealed record ArcCheck(ArcResult Result, int Instances, int OldestPass, string SealDomain, string Reason)
{
    public static readonly ArcCheck NoChain = new(ArcResult.None, 0, 0, "", "");

    /// <summary>none, pass or fail: the cv= value and the arc= result word.</summary>
    public string ResultWord => Result.ToString().ToLowerInvariant();
}
