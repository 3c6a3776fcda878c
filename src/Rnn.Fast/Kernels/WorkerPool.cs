using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Rnn.Fast.Kernels;

/// <summary>
/// The process's worker threads for parallel products: long-lived background threads of the library's own (not the
/// thread pool's), shared by every workspace, started when a product first needs them and stopped after
/// <see cref="DefaultIdleTimeout"/> without work. A parallel region runs <c>work(context, part)</c> for every part of
/// 0 … parts − 1, each part once; the calling thread takes part in it, and nothing is allocated per region.
/// </summary>
/// <remarks>
/// <para>Parts are claimed, not assigned: the caller and every awake worker take the next unclaimed part until none is
/// left, so a worker that is slow to wake (asleep after an idle spell, or descheduled on a busy machine) delays nothing
/// — the caller runs its parts itself and the region never waits longer than running them all on one thread would.
/// Which thread runs a part cannot change a result: the parts of a product write disjoint elements, each one chain.</para>
/// <para>One region at a time: a caller that finds the pool inside another region (another workspace, on another thread)
/// runs its parts itself instead of waiting. Between regions a worker spins for <see cref="DefaultSpinTime"/> (the regions of
/// one training step follow each other within microseconds), then sleeps until the next region wakes it.</para>
/// <para>The claim word packs the region's number, its part count and the next part, so a worker that read it in one
/// region cannot claim a part of another; a part claimed means its region has not finished, so the region's work and
/// context (on the caller's stack) are valid until the part is done, and the caller returns only after every claimed
/// part is done.</para>
/// </remarks>
internal sealed unsafe class WorkerPool
{
    /// <summary>A pool of its own (tests use short timeouts); the engine uses <see cref="Shared"/>.</summary>
    internal WorkerPool(TimeSpan spinTime, TimeSpan idleTimeout)
    {
        _spinTicks = (long)(spinTime.TotalSeconds * Stopwatch.Frequency);
        _idleTimeout = idleTimeout;
    }

    private readonly long _spinTicks;
    private readonly TimeSpan _idleTimeout;

    /// <summary>How long this pool's workers spin for the next region before they sleep.</summary>
    internal TimeSpan SpinTime => TimeSpan.FromSeconds((double)_spinTicks / Stopwatch.Frequency);

    /// <summary>How long this pool's workers sleep without a region before their threads end.</summary>
    internal TimeSpan IdleTimeout => _idleTimeout;

    /// <summary>The most worker threads the pool runs (a region has at most this many parts beyond the caller's).</summary>
    internal const int MaxWorkers = 63;

    /// <summary>How long a worker spins for the next region before it sleeps: the gaps between the products of one call.</summary>
    internal static readonly TimeSpan DefaultSpinTime = TimeSpan.FromMicroseconds(50);

    /// <summary>How long a worker sleeps without a region before its thread ends (a later region starts a new one).</summary>
    internal static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The pool every workspace of the process uses. Declared after the defaults it is built from: static initializers
    /// run in the order of the text, so a pool declared before them would be built with zero spin and zero idle time.
    /// </summary>
    public static WorkerPool Shared { get; } = new(DefaultSpinTime, DefaultIdleTimeout);

    private readonly SemaphoreSlim _wake = new(0);
    private int _busy;        // 1 while a region runs, or while a worker retires
    private int _liveWorkers; // threads started and not retired
    private int _sleeping;    // workers blocked on _wake

    // The current region: claim word = region (bits 32–63) | part count (16–31) | next part (0–15).
    private long _claim;
    private int _region;
    private int _unfinished;
    private delegate*<void*, int, void> _work;
    private void* _context;
    private Exception? _failure;

    /// <summary>How many worker threads are running now (for tests).</summary>
    internal int LiveWorkers => Volatile.Read(ref _liveWorkers);

    /// <summary>How many regions have run on more than one thread's behalf (for tests; claimed parts are not counted).</summary>
    internal int RegionCount => Volatile.Read(ref _region);

    /// <summary>
    /// Runs <paramref name="work"/>(<paramref name="context"/>, part) for every part of 0 … <paramref name="parts"/> − 1
    /// and returns when all are done; the calling thread runs parts too. <paramref name="context"/> must stay valid until
    /// then (a struct on the caller's stack). Allocates nothing, except a thread object when a worker must be started
    /// (the first region, or the first after <see cref="DefaultIdleTimeout"/> without one). An exception in a part is rethrown
    /// here after every part finished.
    /// </summary>
    public void Run(delegate*<void*, int, void> work, void* context, int parts)
    {
        Debug.Assert(parts <= MaxWorkers + 1);
        if (parts <= 1 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int part = 0; part < parts; part++) work(context, part);
            return;
        }

        try
        {
            StartWorkers(parts - 1);
            _work = work;
            _context = context;
            _failure = null;
            int region = _region + 1;
            Volatile.Write(ref _region, region);
            Volatile.Write(ref _unfinished, parts);
            // The exchange is a full fence: a worker that announced its sleep before it sees the claim is woken below.
            Interlocked.Exchange(ref _claim, ((long)region << 32) | ((long)parts << 16));
            int sleeping = Volatile.Read(ref _sleeping);
            if (sleeping > 0) _wake.Release(Math.Min(sleeping, parts - 1));
            RunClaimed(region);
            var spin = new SpinWait();
            while (Volatile.Read(ref _unfinished) != 0) spin.SpinOnce(sleep1Threshold: -1);
            if (_failure is { } failure) ExceptionDispatchInfo.Capture(failure).Throw();
        }
        finally
        {
            _work = null;
            _context = null;
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Claims and runs parts of <paramref name="region"/> until none is left unclaimed.</summary>
    private void RunClaimed(int region)
    {
        while (true)
        {
            long claim = Volatile.Read(ref _claim);
            if ((int)(claim >> 32) != region) return;
            int parts = (int)(claim >> 16) & 0xFFFF, next = (int)claim & 0xFFFF;
            if (next >= parts) return;
            if (Interlocked.CompareExchange(ref _claim, claim + 1, claim) != claim) continue;
            try
            {
                _work(_context, next);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }

            Interlocked.Decrement(ref _unfinished);
        }
    }

    /// <summary>Starts worker threads until <paramref name="count"/> run (called inside a region, so none retires meanwhile).</summary>
    private void StartWorkers(int count)
    {
        while (Volatile.Read(ref _liveWorkers) < count)
        {
            Interlocked.Increment(ref _liveWorkers);
            var thread = new Thread(WorkerLoop) { IsBackground = true, Name = "Rnn.Fast worker" };
            thread.Start();
        }
    }

    /// <summary>A worker: wait for a region (spin, then sleep), take part in it, repeat; retire after an idle spell.</summary>
    private void WorkerLoop()
    {
        int seen = (int)(Volatile.Read(ref _claim) >> 32);
        // A worker started for a region joins it.
        if (Volatile.Read(ref _busy) != 0) seen--;
        while (true)
        {
            int region = WaitForRegion(seen);
            if (region == seen) return; // retired
            seen = region;
            RunClaimed(region);
        }
    }

    /// <summary>Returns the number of a region after <paramref name="seen"/>, or <paramref name="seen"/> when the worker retired.</summary>
    private int WaitForRegion(int seen)
    {
        long spinUntil = Stopwatch.GetTimestamp() + _spinTicks;
        while (true)
        {
            int region = (int)(Volatile.Read(ref _claim) >> 32);
            if (region != seen) return region;
            if (Stopwatch.GetTimestamp() < spinUntil)
            {
                Thread.SpinWait(8);
                continue;
            }

            // Announce the sleep (a full fence), then look once more: a region published before the announcement is
            // seen here, and one published after it releases the semaphore.
            Interlocked.Increment(ref _sleeping);
            region = (int)(Volatile.Read(ref _claim) >> 32);
            bool woken = region == seen && _wake.Wait(_idleTimeout);
            Interlocked.Decrement(ref _sleeping);
            region = (int)(Volatile.Read(ref _claim) >> 32);
            if (region != seen) return region;
            if (!woken && TryRetire()) return seen;
            spinUntil = Stopwatch.GetTimestamp() + _spinTicks;
        }
    }

    /// <summary>Ends this worker when no region runs: the pool's flag keeps a region from starting meanwhile.</summary>
    private bool TryRetire()
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0) return false;
        Interlocked.Decrement(ref _liveWorkers);
        Volatile.Write(ref _busy, 0);
        return true;
    }
}
