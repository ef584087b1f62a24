namespace Postbote.Core.Envelope;

/// <summary>
/// Queue ids: 12 characters of Crockford base32, the first 9 the arrival time in milliseconds since
/// 2020-01-01 (enough until the year 3100), the last 3 a per-process sequence seeded at random. They are
/// short, sort by arrival as plain strings, and are unique across restarts (the spool also refuses to reuse one).
/// </summary>
public static class QueueId
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static readonly DateTimeOffset Epoch = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public const int Length = 12;

    public static string Create(DateTimeOffset arrival, int sequence)
    {
        ulong ms = (ulong)Math.Max(0, (arrival - Epoch).Ticks / TimeSpan.TicksPerMillisecond);
        Span<char> id = stackalloc char[Length];
        for (int i = 8; i >= 0; i--) { id[i] = Alphabet[(int)(ms & 31)]; ms >>= 5; }
        uint seq = (uint)sequence & 0x7FFF;
        for (int i = 11; i >= 9; i--) { id[i] = Alphabet[(int)(seq & 31)]; seq >>= 5; }
        return new string(id);
    }

    /// <summary>True for a well-formed id; used to refuse path tricks in ids given on the command line.</summary>
    public static bool IsValid(ReadOnlySpan<char> id)
    {
        if (id.Length != Length) return false;
        foreach (char c in id) if (!Alphabet.Contains(char.ToUpperInvariant(c))) return false;
        return true;
    }

    /// <summary>The arrival time encoded in an id.</summary>
    public static DateTimeOffset ArrivalOf(string id)
    {
        ulong ms = 0;
        for (int i = 0; i < 9; i++) ms = (ms << 5) | (uint)Alphabet.IndexOf(char.ToUpperInvariant(id[i]));
        return Epoch.AddMilliseconds(ms);
    }
}
