namespace Postbote.MailAuth.Srs;

/// <summary>What reversing an SRS address found.</summary>
public enum SrsStatus
{
    /// <summary>A genuine, unexpired address: <see cref="SrsReversal.Address"/> is where the mail goes.</summary>
    Valid,
    /// <summary>The local part does not start with SRS0 or SRS1 and a separator: an ordinary address.</summary>
    NotSrs,
    /// <summary>SRS0/SRS1 but not in the scheme's shape (missing parts, bad timestamp characters).</summary>
    Malformed,
    /// <summary>The hash matches none of our secrets: forged, or made with a secret since removed.</summary>
    BadHash,
    /// <summary>Genuine but older than Srs:MaxAge.</summary>
    Expired,
}

/// <summary>The result of <see cref="SrsAddress.Reverse"/>: the status and, when valid, the decoded address.</summary>
public readonly record struct SrsReversal(SrsStatus Status, string? Address = null);
