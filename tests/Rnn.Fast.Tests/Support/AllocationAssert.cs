namespace Rnn.Fast.Tests.Support;

/// <summary>Exact zero-allocation checks with <see cref="GC.GetAllocatedBytesForCurrentThread"/>.</summary>
public static class AllocationAssert
{
    /// <summary>
    /// How many times a call is measured before it fails. The runtime's per-thread count is not always exact on a loaded
    /// machine: in the parallel test run, calls that allocate nothing have read about 4 KB (4,128 to 4,680 bytes) about
    /// once in twenty runs, and the runtime's own test of the counter fails the same way now and then. A call that
    /// allocates allocates every time it runs, so it fails all three readings; a stray reading is not repeated three
    /// times in a row.
    /// </summary>
    private const int Attempts = 3;

    /// <summary>
    /// Asserts that <paramref name="call"/> allocates 0 bytes on this thread: it passes at the first of up to
    /// <see cref="Attempts"/> readings that is exactly 0, and fails with every reading otherwise.
    /// </summary>
    public static void AllocatesNothing(Action call, string what)
    {
        var readings = new long[Attempts];
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            call();
            readings[attempt] = GC.GetAllocatedBytesForCurrentThread() - before;
            if (readings[attempt] == 0) return;
        }

        Assert.Fail($"{what} allocated after warm-up, in bytes per reading: {string.Join(", ", readings)}.");
    }
}
