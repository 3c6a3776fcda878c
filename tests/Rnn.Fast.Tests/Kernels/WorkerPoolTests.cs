using Rnn.Fast.Kernels;

namespace Rnn.Fast.Tests.Kernels;

/// <summary>
/// The worker pool runs every part of a region exactly once, with the caller taking part; regions from two threads at
/// once both complete (one of them on its own thread); an exception in a part reaches the caller after the region and
/// leaves the pool usable; and idle workers stop, then start again when a region needs them. Each test has a pool of
/// its own with short timeouts, so nothing here depends on the shared pool's state.
/// </summary>
public sealed unsafe class WorkerPoolTests
{
    private struct Counts
    {
        public int* Runs;
        public int Parts;
        public int FailingPart;
    }

    private static void CountPart(void* context, int part)
    {
        ref Counts counts = ref *(Counts*)context;
        if (part == counts.FailingPart) throw new InvalidOperationException($"part {part} failed");
        Interlocked.Increment(ref counts.Runs[part]);
    }

    [Fact]
    public void EveryPartOfEveryRegionRunsExactlyOnce()
    {
        var pool = new WorkerPool(TimeSpan.FromMicroseconds(50), TimeSpan.FromSeconds(5));
        // 2,000 regions of 1 … 8 parts: enough for workers to wake at every moment of a region (before the caller finished
        // its first part, after it took them all, in between).
        int* runs = stackalloc int[8];
        for (int region = 0; region < 2_000; region++)
        {
            int parts = 1 + region % 8;
            for (int part = 0; part < parts; part++) runs[part] = 0;
            var counts = new Counts { Runs = runs, Parts = parts, FailingPart = -1 };
            pool.Run(&CountPart, &counts, parts);
            for (int part = 0; part < parts; part++) Assert.True(runs[part] == 1, $"region {region}: part {part} of {parts} ran {runs[part]} times");
        }
    }

    [Fact]
    public void RegionsFromTwoThreadsAtOnceBothComplete()
    {
        var pool = new WorkerPool(TimeSpan.FromMicroseconds(50), TimeSpan.FromSeconds(5));
        int failures = 0;
        void Loop()
        {
            int* runs = stackalloc int[4];
            for (int region = 0; region < 2_000; region++)
            {
                for (int part = 0; part < 4; part++) runs[part] = 0;
                var counts = new Counts { Runs = runs, Parts = 4, FailingPart = -1 };
                pool.Run(&CountPart, &counts, 4);
                for (int part = 0; part < 4; part++)
                {
                    if (runs[part] != 1) Interlocked.Increment(ref failures);
                }
            }
        }

        var other = new Thread(Loop);
        other.Start();
        Loop();
        other.Join();
        Assert.Equal(0, failures);
    }

    [Fact]
    public void AFailingPartIsRethrownAfterTheRegionAndThePoolStaysUsable()
    {
        var pool = new WorkerPool(TimeSpan.FromMicroseconds(50), TimeSpan.FromSeconds(5));
        int* runs = stackalloc int[5];
        var counts = new Counts { Runs = runs, Parts = 5, FailingPart = 3 };
        Exception? error = null;
        try
        {
            pool.Run(&CountPart, &counts, 5);
        }
        catch (InvalidOperationException e)
        {
            error = e;
        }

        Assert.NotNull(error);
        Assert.Equal("part 3 failed", error.Message);
        for (int part = 0; part < 5; part++) Assert.Equal(part == 3 ? 0 : 1, runs[part]);

        counts.FailingPart = -1;
        for (int part = 0; part < 5; part++) runs[part] = 0;
        pool.Run(&CountPart, &counts, 5);
        for (int part = 0; part < 5; part++) Assert.Equal(1, runs[part]);
    }

    [Fact]
    public void IdleWorkersStopAndARegionStartsThemAgain()
    {
        var pool = new WorkerPool(TimeSpan.FromMicroseconds(50), TimeSpan.FromMilliseconds(100));
        int* runs = stackalloc int[3];
        var counts = new Counts { Runs = runs, Parts = 3, FailingPart = -1 };
        pool.Run(&CountPart, &counts, 3);
        Assert.Equal(2, pool.LiveWorkers);

        // A worker sleeps after 50 µs of spinning and ends after 100 ms asleep; 5 s leave room for a loaded machine.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (pool.LiveWorkers > 0 && waited.Elapsed < TimeSpan.FromSeconds(5)) Thread.Sleep(20);
        Assert.Equal(0, pool.LiveWorkers);

        for (int part = 0; part < 3; part++) runs[part] = 0;
        pool.Run(&CountPart, &counts, 3);
        for (int part = 0; part < 3; part++) Assert.Equal(1, runs[part]);
        Assert.Equal(2, pool.LiveWorkers);
    }

    /// <summary>
    /// The shared pool is built with the default spin and idle times, not with zeros (a pool with no idle time would end
    /// its workers after every region and start a thread, allocating, for the next).
    /// </summary>
    [Fact]
    public void TheSharedPoolSpinsAndIdlesForItsDefaultTimes()
    {
        Assert.Equal(WorkerPool.DefaultSpinTime.TotalMicroseconds, WorkerPool.Shared.SpinTime.TotalMicroseconds, 3);
        Assert.Equal(WorkerPool.DefaultIdleTimeout, WorkerPool.Shared.IdleTimeout);
        Assert.True(WorkerPool.DefaultIdleTimeout >= TimeSpan.FromSeconds(1));
    }
}
