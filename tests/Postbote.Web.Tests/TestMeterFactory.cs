using System.Diagnostics.Metrics;

namespace Postbote.Web.Tests;

/// <summary>An IMeterFactory as the host's: one Meter per name, scoped to this factory, disposed with it.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = new();

    public IReadOnlyList<Meter> Meters => _meters;

    public Meter Create(MeterOptions options)
    {
        lock (_meters)
        {
            var existing = _meters.FirstOrDefault(m => m.Name == options.Name);
            if (existing is not null) return existing;
            options.Scope = this;
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }
    }

    public void Dispose()
    {
        foreach (var m in _meters) m.Dispose();
    }
}
