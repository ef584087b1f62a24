namespace Postbote.Web.Dashboard;

/// <summary>
/// Counts failed dashboard logins per admin name and per client address over a window
/// (<see cref="DashboardOptions.LoginLockout"/>); past the limit a login is refused before its password is checked,
/// until the window of the first counted failure has passed. Memory is bounded: at most <see cref="MaxKeys"/> keys,
/// the oldest dropped first. A success clears the name's count (not the address's).
/// </summary>
public sealed class LoginThrottle(DashboardOptions options, TimeProvider time)
{
    public const int MaxKeys = 10_000;

    private readonly Dictionary<string, (int Failures, DateTimeOffset Since)> _failures = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>When a login for <paramref name="name"/> from <paramref name="address"/> may be tried again, or null when it may now.</summary>
    public DateTimeOffset? BlockedUntil(string name, string address)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var byName = Blocked("n:" + name, options.LoginFailuresPerName, now);
            var byAddress = Blocked("a:" + address, options.LoginFailuresPerAddress, now);
            if (byName is null) return byAddress;
            return byAddress is null || byName > byAddress ? byName : byAddress;
        }
    }

    public void Failed(string name, string address)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            Count("n:" + name, now);
            Count("a:" + address, now);
        }
    }

    public void Succeeded(string name)
    {
        lock (_gate) _failures.Remove("n:" + name);
    }

    private DateTimeOffset? Blocked(string key, int limit, DateTimeOffset now)
    {
        if (!_failures.TryGetValue(key, out var f)) return null;
        var until = f.Since + options.LoginLockout;
        if (until <= now) { _failures.Remove(key); return null; }
        return f.Failures >= limit ? until : null;
    }

    private void Count(string key, DateTimeOffset now)
    {
        if (_failures.TryGetValue(key, out var f) && f.Since + options.LoginLockout > now)
        {
            _failures[key] = (f.Failures + 1, f.Since);
            return;
        }
        if (_failures.Count >= MaxKeys)
        {
            foreach (var k in _failures.Where(e => e.Value.Since + options.LoginLockout <= now).Select(e => e.Key).ToList()) _failures.Remove(k);
            if (_failures.Count >= MaxKeys) _failures.Remove(_failures.MinBy(e => e.Value.Since).Key);
        }
        _failures[key] = (1, now);
    }
}
