namespace Rnn.Fast;

/// <summary>
/// The "one thread at a time" rule of a workspace or a session, enforced: every public method enters before it reads
/// or writes anything and exits when it returns or throws, and a call that finds the object in use by another call
/// throws <see cref="InvalidOperationException"/> at once, having changed nothing. One compare-and-swap on entry and
/// one store on exit; nothing is allocated.
/// </summary>
/// <remarks>
/// The check lives at the public entry points only, never in the kernels: work a call hands to helpers (the kernels,
/// and future workers that run the products of one call on several cores) runs inside the entered call and is never
/// checked again. A struct held in a field of its owner and called through that field (never copied).
/// </remarks>
internal struct ExclusiveUse
{
    // 0 when free, else the managed thread id of the caller inside (never 0), for the exception's message.
    private int _holder;

    /// <summary>
    /// Runs inside a call, right after it entered, on the calling thread: lets a test make a second thread enter at
    /// that moment, deterministically. Null outside tests.
    /// </summary>
    internal Action? EnteredForTest;

    /// <summary>Whether a call is inside (for tests).</summary>
    internal bool IsHeld => Volatile.Read(ref _holder) != 0;

    /// <summary>Marks the owner in use by this thread, or throws when a call is already inside.</summary>
    /// <param name="owner">The workspace or session, for the message.</param>
    /// <exception cref="InvalidOperationException">Another call is inside; nothing was changed.</exception>
    public void Enter(object owner)
    {
        int thread = Environment.CurrentManagedThreadId;
        int holder = Interlocked.CompareExchange(ref _holder, thread, 0);
        if (holder != 0) ThrowInUse(owner, holder, thread);
        EnteredForTest?.Invoke();
    }

    /// <summary>Marks the owner free again; called in a finally block by the call that entered.</summary>
    public void Exit() => Volatile.Write(ref _holder, 0);

    private static void ThrowInUse(object owner, int holder, int thread)
    {
        string what = owner is RnnStreamingSession ? "session" : "workspace";
        throw new InvalidOperationException(
            $"This {owner.GetType().Name} is in use by another call (thread {holder}; this call is on thread {thread}): a {what} belongs to one " +
            $"thread at a time. Give each thread its own {what}; they may share one model. Nothing was changed.");
    }
}
