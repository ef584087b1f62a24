namespace Postbote.Web.Tests;

/// <summary>Bytes a piece of code allocates on this thread, robust to one-time runtime work (tiered JIT).</summary>
internal static class AllocationProbe
{
    /// <summary>The fewest bytes of three runs of <paramref name="round"/>: one-time work lands in one run, a per-call allocation in all.</summary>
    public static long FewestBytes(Action round)
    {
        long fewest = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            round();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
