namespace Postbote.Web;

/// <summary>
/// One time series of an instrument: its label set and its running value. Updated lock-free from the
/// instrument's callers (a counter increment is one Interlocked operation), read by a scrape.
/// </summary>
internal sealed class MetricSeries
{
    private long _long;
    private double _double;
    private readonly double[]? _bounds;
    private readonly long[]? _buckets;
    private long _count;

    public MetricSeries(KeyValuePair<string, object?>[] tags, string[] labelNames, string[] labelValues, double[]? bounds)
    {
        Tags = tags;
        LabelNames = labelNames;
        LabelValues = labelValues;
        _bounds = bounds;
        if (bounds is not null) _buckets = new long[bounds.Length + 1];
    }

    /// <summary>The tags as the instrument reported them (the key for matching a measurement to its series).</summary>
    public KeyValuePair<string, object?>[] Tags { get; }
    public string[] LabelNames { get; }
    public string[] LabelValues { get; }

    public void Add(long delta) => Interlocked.Add(ref _long, delta);

    public void Add(double delta)
    {
        double seen = Volatile.Read(ref _double);
        while (true)
        {
            double now = Interlocked.CompareExchange(ref _double, seen + delta, seen);
            if (now.Equals(seen)) return;
            seen = now;
        }
    }

    /// <summary>An observable instrument's absolute value.</summary>
    public void Set(double value)
    {
        Volatile.Write(ref _long, 0);
        Volatile.Write(ref _double, value);
    }

    public void Observe(double value)
    {
        var bounds = _bounds!;
        int i = 0;
        while (i < bounds.Length && value > bounds[i]) i++;
        Interlocked.Increment(ref _buckets![i]);
        Add(value);
        Interlocked.Increment(ref _count);
    }

    public double Value => Volatile.Read(ref _long) + Volatile.Read(ref _double);
    public long Count => Volatile.Read(ref _count);
    public double[] Bounds => _bounds ?? Array.Empty<double>();
    public long BucketCount(int i) => Volatile.Read(ref _buckets![i]);

    /// <summary>Whether a measurement's tags are this series' tags (any order; values compared by reference first).</summary>
    public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length != Tags.Length) return false;
        for (int i = 0; i < tags.Length; i++)
        {
            // Pre-built tag lists come in the same order: the common case is one comparison per tag.
            if (SameTag(tags[i], Tags[i])) continue;
            bool found = false;
            for (int j = 0; j < Tags.Length && !found; j++) found = SameTag(tags[i], Tags[j]);
            if (!found) return false;
        }
        return true;
    }

    private static bool SameTag(KeyValuePair<string, object?> a, KeyValuePair<string, object?> b) =>
        (ReferenceEquals(a.Key, b.Key) || a.Key == b.Key) && (ReferenceEquals(a.Value, b.Value) || Equals(a.Value, b.Value));
}
