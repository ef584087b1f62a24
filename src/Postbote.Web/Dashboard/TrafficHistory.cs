namespace Postbote.Web.Dashboard;

/// <summary>
/// Messages per minute over the last 24 hours for the overview's plots: a ring of 1440 per-minute slots, fed by
/// sampling the running totals of the instruments (<see cref="MetricsCollector"/>, which the HTTP listener keeps
/// anyway) once a minute and whenever a page asks. Nothing is added to the accept or delivery paths: their counter
/// increments are the ones /metrics already has.
/// </summary>
public sealed class TrafficHistory : IDisposable
{
    public const int Minutes = 24 * 60;

    private readonly Func<TrafficCounters> _read;
    private readonly TimeProvider _time;
    private readonly TrafficCounters[] _slots = new TrafficCounters[Minutes];
    private readonly long[] _slotMinute = new long[Minutes];
    private readonly Lock _gate = new();
    private readonly ITimer _timer;
    private TrafficCounters _last;

    public TrafficHistory(Func<TrafficCounters> read, TimeProvider time)
    {
        _read = read;
        _time = time;
        Array.Fill(_slotMinute, -1);
        _last = read();
        Started = time.GetUtcNow();
        _timer = time.CreateTimer(_ => Sample(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    /// <summary>When counting began (the server's start): the plot has nothing before it.</summary>
    public DateTimeOffset Started { get; }

    /// <summary>Adds what the totals moved since the last sample to the current minute; returns the totals.</summary>
    public TrafficCounters Sample()
    {
        var now = _read();
        long minute = _time.GetUtcNow().ToUnixTimeSeconds() / 60;
        lock (_gate)
        {
            int slot = (int)(minute % Minutes);
            if (_slotMinute[slot] != minute)
            {
                _slotMinute[slot] = minute;
                _slots[slot] = default;
            }
            _slots[slot] += now - _last;
            _last = now;
        }
        return now;
    }

    /// <summary>The last 1440 minutes, oldest first (the last is the current minute so far), after a fresh sample.</summary>
    public (DateTimeOffset FirstMinute, TrafficCounters[] PerMinute) Last24Hours()
    {
        Sample();
        long current = _time.GetUtcNow().ToUnixTimeSeconds() / 60;
        var result = new TrafficCounters[Minutes];
        lock (_gate)
        {
            for (int i = 0; i < Minutes; i++)
            {
                long minute = current - (Minutes - 1) + i;
                int slot = (int)(minute % Minutes);
                if (_slotMinute[slot] == minute) result[i] = _slots[slot];
            }
        }
        return (DateTimeOffset.FromUnixTimeSeconds((current - (Minutes - 1)) * 60), result);
    }

    public void Dispose() => _timer.Dispose();
}
