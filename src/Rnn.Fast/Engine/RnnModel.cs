using System.Runtime.Intrinsics.X86;
using Rnn.Fast.Kernels;

namespace Rnn.Fast;

/// <summary>
/// An Elman network for the fast engine: its <see cref="Shape"/> and its float parameters in ONE contiguous buffer
/// with <see cref="RnnShape"/>'s layout <c>[ Wxh | Whh | bh | Who | bo ]</c>, plus the weight packs the kernels read.
/// Run it with an <see cref="RnnWorkspace"/> (sequences, backward, training) or an <see cref="RnnStreamingSession"/>
/// (one step at a time).
/// </summary>
/// <remarks>
/// <para>Weight packs: the GEMM kernels read each weight matrix from a pack, a copy in the layout the tiles read (Wxh, Whh, Who for
/// the forward pass; Whhᵀ, Wxhᵀ, Whoᵀ for the backward pass). The model rebuilds the forward packs, without
/// allocating, whenever its parameters change — which they do only through <see cref="SetParameters"/> and
/// <see cref="ApplyGradientDescent"/> — and each transposed pack at the first backward pass that reads it after a
/// change (under a lock, so concurrent backward passes stay safe), so inference never packs a weight.</para>
/// <para>Thread safety: any number of threads may run workspaces and sessions on one model at the same time.
/// Changing the parameters (<see cref="SetParameters"/>, <see cref="ApplyGradientDescent"/>, and
/// <see cref="RnnWorkspace.TrainStep(ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, LossKind, float, ReadOnlySpan{float})"/>,
/// which updates the model) while another thread reads them is detected, never silent: every call that reads the
/// model (a workspace's forward and backward passes, a session's <see cref="RnnStreamingSession.Step"/>,
/// <see cref="CopyParametersTo"/>, <see cref="RnnModelFile.Save(RnnModel, string)"/>) notes the parameters' version when
/// it starts and checks it when it has read them; a call that overlapped an update — or starts while one runs — throws
/// <see cref="InvalidOperationException"/> instead of returning a result computed from a mix of two weight sets.
/// Two updates at once are refused the same way. The checks are two reads of one integer per call.</para>
/// <para>The safe pattern for training on one thread and serving on others is therefore not to update the served
/// model in place, but to publish a new one: train a model of your own, and from time to time build a copy
/// (<c>new RnnModel(trained.Shape, trained.Parameters)</c>, on the training thread) and publish it with
/// <c>Volatile.Write</c> (or <see cref="Interlocked.Exchange{T}(ref T, T)"/>) into a field the serving threads read
/// with <c>Volatile.Read</c>; a serving thread takes the current model once per request and makes its workspace or
/// session for it (a session's hidden state moves across with <see cref="RnnStreamingSession.CopyHiddenStateTo"/>
/// and <see cref="RnnStreamingSession.SetHiddenState"/>). A published model is never written again, so no reader
/// ever sees a mix, and nothing throws.</para>
/// <para><see cref="Parameters"/> is a plain view: reading it while another thread updates the model may see a mix;
/// <see cref="CopyParametersTo"/> detects that.</para>
/// </remarks>
public sealed class RnnModel
{
    private const int TransposedInput = 0, TransposedRecurrent = 1, TransposedOutput = 2;

    private readonly float[] _parameters;
    private readonly PackedMatrix _inputWeightsTransposed;
    private readonly PackedMatrix _recurrentWeightsTransposed;
    private readonly PackedMatrix _outputWeightsTransposed;
    private readonly object _transposeLock = new();

    // The version of the parameters and their packs, a sequence lock: even while they are stable, odd while an update
    // writes them; each update adds 2. A reader notes an even version before it reads and checks it is unchanged after.
    private int _version;

    // The version each transposed pack was built from (index TransposedInput, …); −1, odd, matches no stable version.
    private readonly int[] _transposedVersion = [-1, -1, -1];

    /// <summary>Creates a model with the parameters that <see cref="ParameterInitialization"/> draws from <paramref name="seed"/>.</summary>
    /// <param name="shape">The network's sizes d, h, o.</param>
    /// <param name="seed">Any 64-bit value; equal seeds give equal parameters.</param>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A model of <paramref name="shape"/> cannot be built: one of its
    /// buffers (the weight packs pad their columns to a multiple of 64) would not fit in one array. The message names the
    /// buffer and its size; nothing was allocated.</exception>
    public RnnModel(RnnShape shape, ulong seed)
        : this(ModelSizes.RequireBuildable(shape, nameof(shape)), ParameterInitialization.CreateUniform(shape, seed), KernelDispatch.Active, owned: true)
    {
    }

    /// <summary>Creates a model with a copy of the given parameters.</summary>
    /// <param name="shape">The network's sizes d, h, o.</param>
    /// <param name="parameters">Wxh, Whh, bh, Who, bo in <see cref="RnnShape"/>'s layout: <see cref="RnnShape.ParameterCount"/> values.</param>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A model of <paramref name="shape"/> cannot be built (see
    /// <see cref="RnnModel(RnnShape, ulong)"/>); nothing was allocated.</exception>
    public RnnModel(RnnShape shape, ReadOnlySpan<float> parameters)
        : this(shape, parameters, KernelDispatch.Active)
    {
    }

    /// <summary>Creates a model whose workspaces and sessions run the kernels on <paramref name="instructionSet"/> (tests force every path).</summary>
    internal RnnModel(RnnShape shape, ReadOnlySpan<float> parameters, InstructionSet instructionSet)
        : this(RequireArguments(shape, parameters, instructionSet), parameters.ToArray(), instructionSet, owned: true)
    {
    }

    /// <summary>The constructor every other one ends in: it takes <paramref name="parameters"/> as the model's own buffer.</summary>
    private RnnModel(RnnShape shape, float[] parameters, InstructionSet instructionSet, bool owned)
    {
        _ = owned;
        Shape = shape;
        InstructionSet = instructionSet;
        _parameters = parameters;
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        InputWeights = new PackedMatrix(d, h);
        RecurrentWeights = new PackedMatrix(h, h);
        OutputWeights = new PackedMatrix(h, o);
        _inputWeightsTransposed = new PackedMatrix(h, d);
        _recurrentWeightsTransposed = new PackedMatrix(h, h);
        _outputWeightsTransposed = new PackedMatrix(o, h);
        PackForwardWeights();
    }

    /// <summary>
    /// A model that keeps <paramref name="parameters"/> as its own buffer, without copying it (for the model-file loader,
    /// whose buffer nothing else references). The caller must not use the array afterwards.
    /// </summary>
    internal static RnnModel FromOwnedParameters(RnnShape shape, float[] parameters, InstructionSet instructionSet) =>
        new(RequireArguments(shape, parameters, instructionSet), parameters, instructionSet, owned: true);

    /// <summary>Every check of the constructors, before anything is allocated: the shape, its buildability, the length, the path.</summary>
    private static RnnShape RequireArguments(RnnShape shape, ReadOnlySpan<float> parameters, InstructionSet instructionSet)
    {
        ModelSizes.RequireBuildable(shape, nameof(shape));
        EngineArguments.RequireParameterLength(parameters, shape, nameof(parameters));
        KernelDispatch.ThrowIfUnsupported(instructionSet);
        return shape;
    }

    /// <summary>The network's sizes d, h, o.</summary>
    public RnnShape Shape { get; }

    /// <summary>
    /// The kernel path every workspace and session of this model runs: <see cref="KernelDispatch.Active"/>, the
    /// fastest this process supports. All paths give bit-identical results.
    /// </summary>
    public InstructionSet InstructionSet { get; }

    /// <summary>
    /// The parameters, read-only, in <see cref="RnnShape"/>'s layout. The view follows the model: after an update it
    /// shows the new values. Use <see cref="RnnShape.Whh{T}(ReadOnlySpan{T})"/> and its siblings for the named parts.
    /// </summary>
    public ReadOnlySpan<float> Parameters => _parameters;

    /// <summary>
    /// The parameters' version: even while they are stable, odd while an update writes them, 2 more after each update.
    /// A workspace compares it to refuse a backward pass over a forward pass made with other weights.
    /// </summary>
    internal int Version => Volatile.Read(ref _version);

    /// <summary>Runs inside <see cref="BeginRead"/>, after the version was noted: lets a test update the model in the middle of a read, deterministically. Null outside tests.</summary>
    internal Action? ReadBeganForTest;

    /// <summary>bh, the hidden bias (length h).</summary>
    internal ReadOnlySpan<float> HiddenBias => Shape.Bh<float>(_parameters.AsSpan());

    /// <summary>bo, the output bias (length o).</summary>
    internal ReadOnlySpan<float> OutputBias => Shape.Bo<float>(_parameters.AsSpan());

    /// <summary>Wxh packed, d×h: A += X·Wxh.</summary>
    internal PackedMatrix InputWeights { get; }

    /// <summary>Whh packed, h×h: A_t += H_{t−1}·Whh.</summary>
    internal PackedMatrix RecurrentWeights { get; }

    /// <summary>Who packed, h×o: O += H·Who.</summary>
    internal PackedMatrix OutputWeights { get; }

    /// <summary>Wxhᵀ packed, h×d: dX = dA·Wxhᵀ. Rebuilt here, at first use after a change (see <see cref="Fresh"/>).</summary>
    internal PackedMatrix InputWeightsTransposed => Fresh(TransposedInput, _inputWeightsTransposed);

    /// <summary>Whhᵀ packed, h×h: dH_{t−1} += dA_t·Whhᵀ. Rebuilt here, at first use after a change.</summary>
    internal PackedMatrix RecurrentWeightsTransposed => Fresh(TransposedRecurrent, _recurrentWeightsTransposed);

    /// <summary>Whoᵀ packed, o×h: dH = dO·Whoᵀ. Rebuilt here, at first use after a change.</summary>
    internal PackedMatrix OutputWeightsTransposed => Fresh(TransposedOutput, _outputWeightsTransposed);

    /// <summary>Copies the parameters into <paramref name="destination"/>.</summary>
    /// <param name="destination"><see cref="RnnShape.ParameterCount"/> values, in <see cref="RnnShape"/>'s layout.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length; it is left unchanged.</exception>
    /// <exception cref="InvalidOperationException">Another thread updated the model during the copy (or was updating
    /// it): <paramref name="destination"/> may hold a mix of two weight sets; the model is as that update left it.</exception>
    public void CopyParametersTo(Span<float> destination)
    {
        EngineArguments.RequireParameterLength(destination, Shape, nameof(destination));
        int version = BeginRead();
        _parameters.CopyTo(destination);
        EndRead(version);
    }

    /// <summary>Replaces every parameter and rebuilds the weight packs. Allocates nothing.</summary>
    /// <param name="parameters"><see cref="RnnShape.ParameterCount"/> values, in <see cref="RnnShape"/>'s layout.</param>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> has the wrong length; the model is left unchanged.</exception>
    /// <exception cref="InvalidOperationException">Another thread is updating the model; the model is left as that update leaves it.</exception>
    public void SetParameters(ReadOnlySpan<float> parameters)
    {
        EngineArguments.RequireParameterLength(parameters, Shape, nameof(parameters));
        Span<float> destination = BeginUpdate(StableVersion());
        try
        {
            parameters.CopyTo(destination);
        }
        finally
        {
            EndUpdate();
        }
    }

    /// <summary>
    /// One plain gradient-descent step over the flat parameter buffer, <c>p ← p − learningRate·g</c> (one fused
    /// multiply-add per parameter, <c>fma(g, −learningRate, p)</c>), then rebuilds the weight packs. Allocates nothing.
    /// </summary>
    /// <param name="gradients">∂L/∂p in <see cref="RnnShape"/>'s layout, e.g. from
    /// <see cref="RnnWorkspace.Backward(ReadOnlySpan{float}, Span{float}, Span{float}, Span{float})"/>.</param>
    /// <param name="learningRate">The step size: finite and at least 0.</param>
    /// <exception cref="ArgumentException"><paramref name="gradients"/> has the wrong length; the model is left unchanged.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is negative, infinite or NaN; the model is left unchanged.</exception>
    /// <exception cref="InvalidOperationException">Another thread is updating the model; the model is left as that update leaves it.</exception>
    public void ApplyGradientDescent(ReadOnlySpan<float> gradients, float learningRate)
    {
        EngineArguments.RequireParameterLength(gradients, Shape, nameof(gradients));
        EngineArguments.RequireLearningRate(learningRate);
        Span<float> parameters = BeginUpdate(StableVersion());
        try
        {
            VectorArithmetic.AddScaled(gradients, -learningRate, parameters, InstructionSet);
        }
        finally
        {
            EndUpdate();
        }
    }

    /// <summary>
    /// Starts a read of the parameters and packs: returns their version, for <see cref="EndRead"/>. Throws when an update
    /// is writing them.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another thread is updating the model.</exception>
    internal int BeginRead()
    {
        int version = Volatile.Read(ref _version);
        if ((version & 1) != 0) ThrowBeingUpdated();
        ReadBeganForTest?.Invoke();
        return version;
    }

    /// <summary>Whether no update began since <see cref="BeginRead"/> returned <paramref name="version"/>: then every value read in between belongs to that version.</summary>
    internal bool IsUnchangedSince(int version)
    {
        // x86 keeps loads in order, so the version is read after everything the call read. Weaker CPUs need the fence.
        if (!X86Base.IsSupported) Interlocked.MemoryBarrier();
        return Volatile.Read(ref _version) == version;
    }

    /// <summary>Ends a read begun by <see cref="BeginRead"/>: throws when an update overlapped it.</summary>
    /// <exception cref="InvalidOperationException">Another thread updated the model during the read.</exception>
    internal void EndRead(int version)
    {
        if (!IsUnchangedSince(version)) ThrowChangedDuringRead();
    }

    /// <summary>
    /// Starts an update from <paramref name="expectedVersion"/> (the version the caller's gradients were computed at):
    /// marks the parameters as being written and returns them. Throws, changing nothing, when another update is writing
    /// them or has changed them since. <see cref="EndUpdate"/> must follow, in a finally block.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another thread is updating the model, or updated it since <paramref name="expectedVersion"/>.</exception>
    internal Span<float> BeginUpdate(int expectedVersion)
    {
        if (Interlocked.CompareExchange(ref _version, expectedVersion + 1, expectedVersion) != expectedVersion)
        {
            throw new InvalidOperationException(
                "The model's parameters were changed by another thread during this call, or are being changed: two updates at once are refused " +
                "(the update of this call was not applied). Update a model from one thread at a time.");
        }

        return _parameters;
    }

    /// <summary>Ends an update: rebuilds the forward packs, marks the transposed ones stale, and publishes the new version.</summary>
    internal void EndUpdate()
    {
        PackForwardWeights();
        Volatile.Write(ref _version, _version + 1);
    }

    /// <summary>The current version, checked to be stable (no update writing).</summary>
    private int StableVersion()
    {
        int version = Volatile.Read(ref _version);
        if ((version & 1) != 0) ThrowBeingUpdated();
        return version;
    }

    private static void ThrowBeingUpdated() => throw new InvalidOperationException(
        "Another thread is updating this model's parameters (SetParameters, ApplyGradientDescent or a training step): a call that reads " +
        "them now would see a mix of two weight sets, so it is refused. Publish a new model instead of updating one that others read " +
        "(see RnnModel's remarks).");

    private static void ThrowChangedDuringRead() => throw new InvalidOperationException(
        "Another thread updated this model's parameters during this call, so its result would mix two weight sets: it is refused, and " +
        "whatever it wrote to your buffers is unspecified. Publish a new model instead of updating one that others read (see RnnModel's remarks).");

    /// <summary>
    /// Packs Wxh, Whh and Who for the forward pass (the transposed packs go stale with the version). Packing copies
    /// values exactly, so products read from the packs equal products read from the parameters.
    /// </summary>
    private void PackForwardWeights()
    {
        RnnShape s = Shape;
        ReadOnlySpan<float> all = _parameters;
        InputWeights.Pack(new ReadOnlyMatrixSpan(s.Wxh(all), s.InputSize, s.HiddenSize));
        RecurrentWeights.Pack(new ReadOnlyMatrixSpan(s.Whh(all), s.HiddenSize, s.HiddenSize));
        OutputWeights.Pack(new ReadOnlyMatrixSpan(s.Who(all), s.HiddenSize, s.OutputSize));
    }

    /// <summary>
    /// <paramref name="pack"/>, rebuilt first if the parameters changed since it was packed. Only backward passes read
    /// the transposed packs, and a training step on a small model spent most of its time rebuilding all three after
    /// each update, though a step with T = 1 and no dX reads only Whoᵀ. Backward passes may run on several threads at
    /// once, so the rebuild takes a lock and checks again inside it. A pack rebuilt while an update ran is not recorded
    /// as fresh: the caller's read check refuses its result, and the next call rebuilds it.
    /// </summary>
    private PackedMatrix Fresh(int which, PackedMatrix pack)
    {
        if (Volatile.Read(ref _transposedVersion[which]) == Volatile.Read(ref _version)) return pack;
        lock (_transposeLock)
        {
            int version = StableVersion();
            if (_transposedVersion[which] != version)
            {
                RnnShape s = Shape;
                ReadOnlySpan<float> all = _parameters;
                ReadOnlyMatrixSpan source = which switch
                {
                    TransposedInput => new ReadOnlyMatrixSpan(s.Wxh(all), s.InputSize, s.HiddenSize),
                    TransposedRecurrent => new ReadOnlyMatrixSpan(s.Whh(all), s.HiddenSize, s.HiddenSize),
                    _ => new ReadOnlyMatrixSpan(s.Who(all), s.HiddenSize, s.OutputSize),
                };
                pack.PackTransposed(source);
                if (IsUnchangedSince(version)) Volatile.Write(ref _transposedVersion[which], version);
            }
        }

        return pack;
    }
}
