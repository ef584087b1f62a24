namespace Postbote.Queue;

/// <summary>
/// Free space on the spool's file system (statvfs through <see cref="DriveInfo"/>), asked at most once per
/// <see cref="CheckInterval"/> so that MAIL can be refused cheaply while it is low (Postfix queue_minfree). A write
/// error that says the disk is full makes the next question ask again.
/// </summary>
public sealed class SpoolFreeSpace
{
    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private long _available = long.MaxValue;
    private long _checkedAt;
    private bool _valid;

    public SpoolFreeSpace(string directory, TimeProvider time)
    {
        _directory = directory;
        _time = time;
    }

    /// <summary>How long an answer is reused: once per second keeps a statvfs off every MAIL of a busy server.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Octets available to us on the spool's file system; <see cref="long.MaxValue"/> when it cannot be told.</summary>
    public long AvailableBytes
    {
        get
        {
            lock (_gate)
            {
                long now = _time.GetTimestamp();
                if (_valid && _time.GetElapsedTime(_checkedAt, now) < CheckInterval) return _available;
                _available = Measure();
                _checkedAt = now;
                _valid = true;
                return _available;
            }
        }
    }

    /// <summary>Forget the cached answer (after a write failed for want of space).</summary>
    public void Invalidate()
    {
        lock (_gate) _valid = false;
    }

    private long Measure()
    {
        try { return new DriveInfo(_directory).AvailableFreeSpace; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return long.MaxValue; }
    }

    /// <summary>True for the errors of a full file system or an exhausted quota (ENOSPC, EDQUOT; ERROR_DISK_FULL on Windows).</summary>
    public static bool IsDiskFull(Exception e) => e is IOException && e.HResult is 28 or 122
        or unchecked((int)0x80070070) or unchecked((int)0x80070027);
}
