using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
/// <para>Weight packs: the GEMM kernels read each weight matrix from a pack, a copy in the layout the tiles read ([Wxh ; Whh] as one
/// pack and Who for the forward pass; Whhᵀ, Wxhᵀ, Whoᵀ for the backward pass), K·N floats each with no padding. The
/// parameters change only through <see cref="SetParameters"/>, <see cref="ApplyGradientDescent"/> and training steps;
/// the model then rebuilds the Who pack at once and each other pack, without allocating, at the first pass that reads
/// it after the change (under a lock, so concurrent passes stay safe). Inference never packs a weight but for that
/// first pass after a change; a short training step reads [Wxh ; Whh] in place instead of repacking it after every
/// update.</para>
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
public sealed unsafe class RnnModel
{
    private const int TransposedInput = 0, TransposedRecurrent = 1, TransposedOutput = 2, Stacked = 3;

    private readonly float[] _parameters;

    // bh and bo, each zero-padded to a whole number of 16-float vectors (pinned): the start rows of the products, which a
    // tile over a remainder panel reads as whole vectors, in place. Rewritten with the packs.
    private readonly float[] _paddedBiases;
    private readonly int _paddedHiddenLength;
    private readonly PackedMatrix _inputWeightsTransposed;
    private readonly PackedMatrix _recurrentWeightsTransposed;
    private readonly PackedMatrix _outputWeightsTransposed;
    private readonly object _packLock = new();

    // The version of the parameters and their packs, a sequence lock: even while they are stable, odd while an update
    // writes them; each update adds 2. A reader notes an even version before it reads and checks it is unchanged after.
    private int _version;

    // The version each lazily rebuilt pack was built from (index TransposedInput, …, Stacked); −1, odd, matches no
    // stable version.
    private readonly int[] _packVersion = [-1, -1, -1, -1];

    /// <summary>Creates a model with the parameters that <see cref="ParameterInitialization"/> draws from <paramref name="seed"/>.</summary>
    /// <param name="shape">The network's sizes d, h, o.</param>
    /// <param name="seed">Any 64-bit value; equal seeds give equal parameters.</param>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A model of <paramref name="shape"/> cannot be built: one of its
    /// buffers (its parameters, a weight pack, or the rows of a workspace) would not fit in one array. The message names
    /// the buffer and its size; nothing was allocated.</exception>
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

    /// <summary>
    /// A model whose layout choices are pinned, for the tests that prove every choice gives the same bits: with
    /// <paramref name="layout"/> <see cref="ModelLayoutForTest.EveryWeightPacked"/>, every forward weight is packed and
    /// each forward step is two products (input projection, recurrence); with
    /// <see cref="ModelLayoutForTest.StepsAsOneProduct"/>, the automatic weights and every step as one stacked product.
    /// </summary>
    internal RnnModel(RnnShape shape, ReadOnlySpan<float> parameters, InstructionSet instructionSet, ModelLayoutForTest layout)
        : this(RequireArguments(shape, parameters, instructionSet), parameters.ToArray(), instructionSet, owned: true, layout)
    {
    }

    /// <summary>The constructor every other one ends in: it takes <paramref name="parameters"/> as the model's own buffer.</summary>
    private RnnModel(RnnShape shape, float[] parameters, InstructionSet instructionSet, bool owned,
        ModelLayoutForTest layout = ModelLayoutForTest.Automatic)
    {
        _ = owned;
        Shape = shape;
        InstructionSet = instructionSet;
        _parameters = parameters;
        _layout = layout;
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        bool packAll = layout == ModelLayoutForTest.EveryWeightPacked;
        _stackedPack = ReadsStackedWeightsInPlace(d, h, o) && !packAll ? null : new PackedMatrix(d + h, h);
        _outputPack = ReadsOutputWeightsInPlace(d, h, o) && !packAll ? null : new PackedMatrix(h, o);
        _paddedHiddenLength = (h + 15) & ~15;
        _paddedBiases = GC.AllocateArray<float>((int)PaddedBiasesLength(h, o), pinned: true);
        _inputWeightsTransposed = new PackedMatrix(h, d);
        _recurrentWeightsTransposed = new PackedMatrix(h, h);
        _outputWeightsTransposed = new PackedMatrix(o, h);
        PackForwardWeights();
        if (_stackedPack is { } stacked)
        {
            // Packed now, so the first inference call does not pay for it; after a change, at first use (see StackedWeights).
            stacked.Pack(StackedSource());
            _packVersion[Stacked] = _version;
        }
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

    /// <summary>
    /// The floats of the padded bias rows of a model with <paramref name="hiddenSize"/> and <paramref name="outputSize"/>:
    /// h and o each rounded up to 16, and 16 for the 64-byte alignment (for <see cref="ModelSizes"/>).
    /// </summary>
    internal static long PaddedBiasesLength(int hiddenSize, int outputSize) => (((long)hiddenSize + 15) & ~15L) + (((long)outputSize + 15) & ~15L) + 16;

    /// <summary>bh zero-padded to a multiple of 16 floats (pinned, 64-byte aligned): the start row of every pre-activation.</summary>
    internal float* PaddedHiddenBias => (float*)(((nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_paddedBiases)) + 63) & ~(nint)63);

    /// <summary>bo zero-padded to a multiple of 16 floats (pinned): the start row of every output.</summary>
    internal float* PaddedOutputBias => PaddedHiddenBias + _paddedHiddenLength;

    /// <summary>bh, the hidden bias (length h).</summary>
    internal ReadOnlySpan<float> HiddenBias => Shape.Bh<float>(_parameters.AsSpan());

    /// <summary>bo, the output bias (length o).</summary>
    internal ReadOnlySpan<float> OutputBias => Shape.Bo<float>(_parameters.AsSpan());

    /// <summary>
    /// Whether the forward passes read [Wxh ; Whh] straight from the parameters, without a pack: when h ≤ 64, where the
    /// pack is one panel k-major at h floats a row — the parameters' own layout, so a copy would change nothing but the
    /// address and would cost a repack after every update. (Wider matrices keep packs: read in place, a row kernel's
    /// 64-column panel takes half of each row, and the hardware's next-line prefetch wastes the other half.) A remainder
    /// tile reads up to 15 floats past the last row, so the h + h·o + o parameters after Whh must hold them unless h is
    /// a multiple of 16.
    /// </summary>
    internal static bool ReadsStackedWeightsInPlace(int d, int h, int o) => h <= PackedMatrix.PanelWidth && StackedWeightsReadableInPlace(h, o);

    /// <summary>Whether the parameters after Whh hold a remainder tile's reads past its last row (see <see cref="ReadsStackedWeightsInPlace"/>).</summary>
    private static bool StackedWeightsReadableInPlace(int h, int o) => h % 16 == 0 || (long)h + (long)h * o + o >= 15;

    /// <summary>
    /// Whether the forward passes read Who straight from the parameters (o ≤ 64: one panel, the parameters' layout); the
    /// o floats of bo after it must hold a remainder tile's reads past the last row unless o is a multiple of 16.
    /// </summary>
    internal static bool ReadsOutputWeightsInPlace(int d, int h, int o)
    {
        _ = d;
        _ = h;
        return o <= PackedMatrix.PanelWidth && (o % 16 == 0 || o >= 15);
    }

    // [Wxh ; Whh] packed as one (d + h)×h pack, and Who packed; null when read in place (see above).
    private readonly PackedMatrix? _stackedPack;
    private readonly PackedMatrix? _outputPack;

    /// <summary>Whether the model packs [Wxh ; Whh]; without a pack the forward passes read it from the parameters, rows h floats apart from offset 0.</summary>
    internal bool HasStackedPack => _stackedPack != null;

    /// <summary>
    /// Who's pack (o ≤ 64: one panel, rows o floats apart, as in the parameters), or null when the forward passes read Who
    /// in place. The pack is repacked eagerly at every change, and its storage is pinned and never replaced, so the
    /// pointer holds for the model's life.
    /// </summary>
    internal float* SinglePanelOutputWeightsPack => _outputPack is { } pack && Shape.OutputSize <= PackedMatrix.PanelWidth ? pack.Panels.Panel(0) : null;

    /// <summary>The parameter buffer itself, for callers that pin it (<c>fixed</c>) to read weights in place.</summary>
    internal float[] ParameterArray => _parameters;

    /// <summary>
    /// [Wxh ; Whh] as one (d + h)×h view, from its pack (rebuilt first if the parameters changed since it was packed) or
    /// (see <see cref="ReadsStackedWeightsInPlace"/>) from the pinned parameters at <paramref name="parameters"/>
    /// (<see cref="ParameterArray"/>): the streaming step computes bh + [x | h]·[Wxh ; Whh] as one product, whose chains
    /// are those of bh + x·Wxh continued by h·Whh. The parameter layout puts Whh right after Wxh, so this is the first
    /// d + h rows of the parameters, h wide.
    /// </summary>
    internal PackedPanels StackedWeights(float* parameters) => _stackedPack is { } pack
        ? Fresh(Stacked, pack).Panels
        : StackedWeightsInPlace(parameters);

    /// <summary>
    /// [Wxh ; Whh] for the forward pass of a gradient computation over <paramref name="rows"/> = T·n rows: as
    /// <see cref="StackedWeights"/>, except that a pack made stale by an update is not rebuilt for a pass of at most
    /// <see cref="InPlaceGradientRows"/> rows, which reads the parameters in place instead. A training loop's next
    /// update would make the pack stale again before anything else read it, and at so few rows the pack costs more
    /// than the slower reads of the matrix in place save. A copy holds the same values, so the bits are the same.
    /// </summary>
    internal PackedPanels StackedWeightsForGradients(float* parameters, int rows) =>
        !StackedPackIsCurrent && rows <= InPlaceGradientRows && StackedWeightsReadableInPlace(Shape.HiddenSize, Shape.OutputSize)
            ? StackedWeightsInPlace(parameters)
            : StackedWeights(parameters);

    /// <summary>
    /// The most rows of a gradient computation's forward pass that read a stale [Wxh ; Whh] in place rather than repack
    /// it: training steps of up to 8 rows (T·n) measured faster in place at every shape tried (h = 128, 192, 256; T = 1
    /// or n = 1), and one sequence of 16 steps slower.
    /// </summary>
    internal const int InPlaceGradientRows = 8;

    /// <summary>Whether the [Wxh ; Whh] pack holds the current parameters (true when the model has none: it reads them in place).</summary>
    internal bool StackedPackIsCurrent => _stackedPack == null || Volatile.Read(ref _packVersion[Stacked]) == Volatile.Read(ref _version);

    private PackedPanels StackedWeightsInPlace(float* parameters) =>
        PackedPanels.InPlace(parameters, Shape.HiddenSize, Shape.InputSize + Shape.HiddenSize, Shape.HiddenSize);

    /// <summary>[Wxh ; Whh] in the parameters: the first d + h rows, h wide.</summary>
    private ReadOnlyMatrixSpan StackedSource() =>
        new(_parameters.AsSpan(0, (Shape.InputSize + Shape.HiddenSize) * Shape.HiddenSize), Shape.InputSize + Shape.HiddenSize, Shape.HiddenSize);

    /// <summary>
    /// Whether the forward pass runs each step as one product over [Wxh ; Whh], bh + [X_t | H_{t−1}]·[Wxh ; Whh] (the
    /// chains of the input projection continued by the recurrence), instead of one input projection over all steps and
    /// a recurrence over Whh: when the stacked weights fit in L1 (at most <see cref="SmallStackedWeightsFloats"/>), where
    /// reading Wxh again at each step costs less than a second product and a pass over the pre-activations.
    /// </summary>
    internal bool RunsStepsAsOneProduct => _layout switch
    {
        ModelLayoutForTest.EveryWeightPacked => false,
        ModelLayoutForTest.StepsAsOneProduct => true,
        _ => ((long)Shape.InputSize + Shape.HiddenSize) * Shape.HiddenSize <= SmallStackedWeightsFloats,
    };

    private readonly ModelLayoutForTest _layout;

    /// <summary>The largest [Wxh ; Whh] (floats) for which <see cref="RunsStepsAsOneProduct"/> holds: 8,192 (32 KiB, an L1 data cache).</summary>
    internal const int SmallStackedWeightsFloats = 8192;

    /// <summary>Wxh, d×h (rows 0 … d − 1 of <see cref="StackedWeights"/>): A += X·Wxh.</summary>
    internal PackedPanels InputWeights(float* parameters) => StackedWeights(parameters).Slice(0, Shape.InputSize);

    /// <summary>Whh, h×h (rows d … d + h − 1 of <see cref="StackedWeights"/>): A_t += H_{t−1}·Whh.</summary>
    internal PackedPanels RecurrentWeights(float* parameters) => StackedWeights(parameters).Slice(Shape.InputSize, Shape.HiddenSize);

    /// <summary>Who, h×o, from its pack or (see <see cref="ReadsOutputWeightsInPlace"/>) from the pinned parameters: O += H·Who.</summary>
    internal PackedPanels OutputWeights(float* parameters) => _outputPack is { } pack
        ? pack.Panels
        : PackedPanels.InPlace(parameters + Shape.WhoOffset, Shape.OutputSize, Shape.HiddenSize, Shape.OutputSize);

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

    /// <summary>Ends an update: rebuilds the Who pack and the padded biases, marks the other packs stale, and publishes the new version.</summary>
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
    /// Packs Who for the forward pass (unless read in place) and copies the padded bias rows; the other packs go stale
    /// with the version (see <see cref="Fresh"/>). Packing copies values exactly, so products read from the packs equal
    /// products read from the parameters.
    /// </summary>
    private void PackForwardWeights()
    {
        RnnShape s = Shape;
        ReadOnlySpan<float> all = _parameters;
        s.Bh(all).CopyTo(new Span<float>(PaddedHiddenBias, s.HiddenSize));
        s.Bo(all).CopyTo(new Span<float>(PaddedOutputBias, s.OutputSize));
        _outputPack?.Pack(new ReadOnlyMatrixSpan(s.Who(all), s.HiddenSize, s.OutputSize));
    }

    /// <summary>
    /// <paramref name="pack"/>, rebuilt first if the parameters changed since it was packed. Only backward passes read
    /// the transposed packs, and a training step on a small model spent most of its time rebuilding all three after
    /// each update, though a step with T = 1 and no dX reads only Whoᵀ; and a short training step reads [Wxh ; Whh] in
    /// place rather than repack it (see <see cref="StackedWeightsForGradients"/>). Passes may run on several threads at
    /// once, so the rebuild takes a lock and checks again inside it. A pack rebuilt while an update ran is not recorded
    /// as fresh: the caller's read check refuses its result, and the next call rebuilds it.
    /// </summary>
    private PackedMatrix Fresh(int which, PackedMatrix pack)
    {
        if (Volatile.Read(ref _packVersion[which]) == Volatile.Read(ref _version)) return pack;
        lock (_packLock)
        {
            int version = StableVersion();
            if (_packVersion[which] != version)
            {
                RnnShape s = Shape;
                ReadOnlySpan<float> all = _parameters;
                switch (which)
                {
                    case Stacked: pack.Pack(StackedSource()); break;
                    case TransposedInput: pack.PackTransposed(new ReadOnlyMatrixSpan(s.Wxh(all), s.InputSize, s.HiddenSize)); break;
                    case TransposedRecurrent: pack.PackTransposed(new ReadOnlyMatrixSpan(s.Whh(all), s.HiddenSize, s.HiddenSize)); break;
                    default: pack.PackTransposed(new ReadOnlyMatrixSpan(s.Who(all), s.HiddenSize, s.OutputSize)); break;
                }

                if (IsUnchangedSince(version)) Volatile.Write(ref _packVersion[which], version);
            }
        }

        return pack;
    }
}

/// <summary>The layout choices of a model, pinned by tests (see <see cref="RnnModel"/>'s internal constructor).</summary>
internal enum ModelLayoutForTest
{
    /// <summary>The model chooses, as every public constructor does.</summary>
    Automatic,

    /// <summary>Every forward weight packed; each forward step as an input projection and a recurrence.</summary>
    EveryWeightPacked,

    /// <summary>The automatic weights; each forward step as one product over [Wxh ; Whh].</summary>
    StepsAsOneProduct,
}
