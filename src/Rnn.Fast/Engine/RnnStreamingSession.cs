using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Rnn.Fast.Kernels;

namespace Rnn.Fast;

/// <summary>
/// Runs an <see cref="RnnModel"/> one time step per call, carrying the hidden state from one <see cref="Step"/> to
/// the next: for apps that receive their inputs as a stream. It allocates its small buffer once, here, and
/// nothing per step.
/// </summary>
/// <remarks>
/// <para>A step computes a = bh; a += x·Wxh; a += h·Whh; h = tanh(a); o = bo; o += h·Who — the same chains of fused
/// multiply-adds as <see cref="RnnWorkspace"/>'s forward pass, so T steps give bit for bit the outputs and hidden
/// state of a forward pass over the whole sequence, on every instruction-set path.</para>
/// <para>Thread safety: a session belongs to one thread at a time; many sessions may share one model (see
/// <see cref="RnnModel"/>). This is enforced: a call that finds the session inside a call of another thread throws
/// <see cref="InvalidOperationException"/> at once and changes nothing. The session reads the model's current
/// parameters at every step, so an update between steps takes effect at the next one; a step that overlaps an update
/// of the model by another thread throws <see cref="InvalidOperationException"/> instead of mixing two weight sets,
/// and leaves the hidden state as it was before the step (its output buffer is then unspecified).</para>
/// </remarks>
public sealed unsafe class RnnStreamingSession
{
    private readonly RnnModel _model;
    private readonly InstructionSet _path;
    private readonly int _rowStride;

    // Two regions of n rows [x | h] (d + h floats, at _rowStride) in one pinned buffer: the state region holds the
    // carried h (columns d … d + h − 1) and receives the step's input beside it, so the step's pre-activations are ONE
    // product bh + [x | h]·[Wxh ; Whh]; the new h goes into the other region, which becomes the state when the step
    // stands (the two starts swap). Each region starts so that its h columns begin on a 64-byte boundary: the new h is
    // then stored in whole aligned vectors, which the next step's loads are forwarded from.
    private readonly float[] _buffer;
    private int _stateStart;
    private int _nextStart;

    // One call at a time: every public method enters first and exits last (see ExclusiveUse).
    private ExclusiveUse _use;

    // A step of one stream through a small layer (SmallRecurrence.Step) reads [Wxh ; Whh] in place at the start of the
    // parameters, Who in place or from its pinned pack, and the biases from the model's pinned padded rows, so the
    // pointers and sizes it needs are kept here, the sizes and biases in the layout the kernel takes: in a step this
    // short, each level of loads saved (the model, its shape, its packs) is a visible part of it.
    private readonly bool _smallStep;
    private readonly SmallStepLayout _smallLayout;
    private readonly int _outputWeightsOffset;
    private readonly float* _outputWeightsPack;

    /// <summary>Creates a session with the hidden state at zero.</summary>
    /// <param name="model">The model to run.</param>
    /// <param name="batchSize">n, the number of independent streams advanced by each step; at least 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1 or the state would exceed the largest array.</exception>
    public RnnStreamingSession(RnnModel model, int batchSize = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _model = model;
        _path = model.InstructionSet;
        _rowStride = LeadingDimension.For(model.Shape.InputSize + model.Shape.HiddenSize);
        int length = RnnShape.SequenceElementCount(1, batchSize, _rowStride);
        // Both regions and their alignment slack (2·n·(ldz + 8) ≥ 2·length + 16) fit in one array.
        RnnShape.SequenceElementCount(2, batchSize, _rowStride + 8);
        RnnShape.SequenceElementCount(1, batchSize, Math.Max(model.Shape.InputSize, model.Shape.OutputSize));
        BatchSize = batchSize;
        // Pinned, so the alignment computed here holds for the session's life; 16 floats of slack for the shift.
        _buffer = GC.AllocateArray<float>(2 * length + 16, pinned: true);
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_buffer)) / sizeof(float) + model.Shape.InputSize;
        _stateStart = (int)((16 - start % 16) % 16);
        _nextStart = _stateStart + length;
        RnnShape shape = model.Shape;
        _outputWeightsOffset = shape.WhoOffset;
        _smallStep = batchSize == 1 && SmallRecurrence.Supports(_path, shape.HiddenSize, shape.OutputSize) && !model.HasStackedPack;
        // U's rows are o floats apart both in place and in Who's single-panel pack.
        _smallLayout = new SmallStepLayout(shape.InputSize, shape.HiddenSize, shape.OutputSize, model.PaddedHiddenBias, model.PaddedOutputBias, shape.OutputSize);
        _outputWeightsPack = model.SinglePanelOutputWeightsPack;
    }

    /// <summary>The one-call-at-a-time check, for tests that force a second thread into a call.</summary>
    internal ref ExclusiveUse Use => ref _use;

    /// <summary>The model this session runs.</summary>
    public RnnModel Model => _model;

    /// <summary>n, the number of streams advanced by each step.</summary>
    public int BatchSize { get; }

    /// <summary>Advances every stream by one step: H ← tanh(x·Wxh + H·Whh + bh), then writes O = H·Who + bo.</summary>
    /// <param name="input">x: n·d values <c>[n][d]</c>.</param>
    /// <param name="output">O: n·o values <c>[n][o]</c>; overwritten. When d = o it may be the very memory of
    /// <paramref name="input"/> (an output fed back as the next input): the input is read in full first.</param>
    /// <exception cref="ArgumentException">A buffer has the wrong length; nothing changes.</exception>
    /// <exception cref="InvalidOperationException">Another thread is inside a call of this session (nothing changes), or
    /// another thread updated the model during this step (the hidden state is as before the step; <paramref name="output"/>
    /// is unspecified).</exception>
    /// <remarks>
    /// The shapes were checked when the session was made and the lengths are checked above, so the step calls the
    /// GEMM driver directly rather than through <see cref="MatrixMultiply"/>, whose argument checks are a visible part of
    /// a step this short. The step is two products: bh + [x | h]·[Wxh ; Whh] with tanh applied in the register tiles,
    /// straight into the new state, then bo + h·Who into the output. This method and the drivers it calls are compiled
    /// optimized at their first call (<c>AggressiveOptimization</c>), so every step after the first runs at about its
    /// steady latency, not at a multiple of it until tiered compilation recompiles them.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Step(ReadOnlySpan<float> input, Span<float> output)
    {
        if (_smallStep) SmallStep(input, output);
        else GeneralStep(input, output);
    }

    /// <summary><see cref="Step"/> for every shape and batch size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void GeneralStep(ReadOnlySpan<float> input, Span<float> output)
    {
        _use.Enter(this);
        try
        {
            RnnShape shape = _model.Shape;
            int n = BatchSize, d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize, ldz = _rowStride;
            EngineArguments.RequireLength(input, nameof(input), "n·d", n, d);
            EngineArguments.RequireLength(output, nameof(output), "n·o", n, o);

            int version = _model.BeginRead();
            // The input goes beside the carried state; after this copy the output may share the input's memory.
            fixed (float* pInput = input)
            fixed (float* pBuffer = _buffer)
            fixed (float* pOutput = output)
            fixed (float* pParameters = _model.ParameterArray)
            {
                float* pState = pBuffer + _stateStart, pNext = pBuffer + _nextStart;
                for (int b = 0; b < n; b++) GemmPacking.CopyShort(pInput + b * d, pState + b * ldz, d);
                PackedPanels weights = _model.StackedWeights(pParameters), who = _model.OutputWeights(pParameters);
                // The new state goes beside the old one, which stays the session's state until the step stands. Each
                // chain starts from the model's zero-padded bias row, read in place.
                if (SmallRecurrence.Supports(_path, h, o))
                {
                    // A small layer: both products and the tanh in one pass per row (the same chains).
                    SmallRecurrence.Steps(1, 0, n, pState, ldz, d + h, weights.Panel(0), weights.RowStride(0), _model.PaddedHiddenBias, h, pNext + d, ldz,
                        who.Panel(0), who.RowStride(0), _model.PaddedOutputBias, o, pOutput, o);
                }
                else
                {
                    GemmDriver.Run<StoreTanh>(_path, pState, ldz, 1, weights, pNext + d, ldz, n, d + h, _model.PaddedHiddenBias, 0, paddedStart: true);
                    GemmDriver.Run<StoreSum>(_path, pNext + d, ldz, 1, who, pOutput, o, n, h, _model.PaddedOutputBias, 0, paddedStart: true);
                }
            }

            // Read from one weight set, or refused with the state unchanged (the output is then unspecified).
            _model.EndRead(version);
            (_stateStart, _nextStart) = (_nextStart, _stateStart);

            // The driver reads the packs through raw pointers: keep the session, and so its model and their pinned
            // storage, reachable until it returns.
            GC.KeepAlive(this);
        }
        finally
        {
            _use.Exit();
        }
    }

    /// <summary>
    /// <see cref="Step"/> for one stream through a small layer with [Wxh ; Whh] read in place: the same checks and the
    /// same product as the general step's small-layer branch, from the pointers and sizes kept at construction.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SmallStep(ReadOnlySpan<float> input, Span<float> output)
    {
        _use.Enter(this);
        try
        {
            int d = _smallLayout.InputSize, o = _smallLayout.OutputSize;
            if (input.Length != d) EngineArguments.RequireLength(input, nameof(input), "n·d", 1, d);
            if (output.Length != o) EngineArguments.RequireLength(output, nameof(output), "n·o", 1, o);
            int version = _model.BeginRead();
            fixed (float* pInput = input)
            fixed (float* pBuffer = _buffer)
            fixed (float* pOutput = output)
            fixed (float* pParameters = _model.ParameterArray)
            {
                float* pState = pBuffer + _stateStart, pNext = pBuffer + _nextStart;
                float* who = _outputWeightsPack != null ? _outputWeightsPack : pParameters + _outputWeightsOffset;
                GemmPacking.CopyShort(pInput, pState, d);
                SmallRecurrence.Step(_smallLayout, pState, pParameters, who, pNext + d, pOutput);
            }

            // As in the general step: read from one weight set, or refused with the state unchanged.
            _model.EndRead(version);
            (_stateStart, _nextStart) = (_nextStart, _stateStart);
            GC.KeepAlive(this);
        }
        finally
        {
            _use.Exit();
        }
    }

    /// <summary>Sets the hidden state of every stream to zero, as at construction.</summary>
    /// <exception cref="InvalidOperationException">Another thread is inside a call of this session; nothing changes.</exception>
    public void Reset()
    {
        _use.Enter(this);
        try
        {
            for (int b = 0; b < BatchSize; b++) _buffer.AsSpan(_stateStart + b * _rowStride + _model.Shape.InputSize, _model.Shape.HiddenSize).Clear();
        }
        finally
        {
            _use.Exit();
        }
    }

    /// <summary>Copies the hidden state (a snapshot an app can restore with <see cref="SetHiddenState"/>).</summary>
    /// <param name="destination">n·h values <c>[n][h]</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length; it is left unchanged.</exception>
    /// <exception cref="InvalidOperationException">Another thread is inside a call of this session; nothing is written.</exception>
    public void CopyHiddenStateTo(Span<float> destination)
    {
        _use.Enter(this);
        try
        {
            int n = BatchSize, h = _model.Shape.HiddenSize;
            EngineArguments.RequireLength(destination, nameof(destination), "n·h", [n, h]);
            int d = _model.Shape.InputSize;
            for (int b = 0; b < n; b++) _buffer.AsSpan(_stateStart + b * _rowStride + d, h).CopyTo(destination.Slice(b * h, h));
        }
        finally
        {
            _use.Exit();
        }
    }

    /// <summary>Replaces the hidden state, e.g. with a snapshot from <see cref="CopyHiddenStateTo"/> or H_T of a forward pass.</summary>
    /// <param name="hiddenState">n·h values <c>[n][h]</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="hiddenState"/> has the wrong length; the state is left unchanged.</exception>
    /// <exception cref="InvalidOperationException">Another thread is inside a call of this session; the state is left unchanged.</exception>
    public void SetHiddenState(ReadOnlySpan<float> hiddenState)
    {
        _use.Enter(this);
        try
        {
            int n = BatchSize, h = _model.Shape.HiddenSize;
            EngineArguments.RequireLength(hiddenState, nameof(hiddenState), "n·h", [n, h]);
            int d = _model.Shape.InputSize;
            for (int b = 0; b < n; b++) hiddenState.Slice(b * h, h).CopyTo(_buffer.AsSpan(_stateStart + b * _rowStride + d, h));
        }
        finally
        {
            _use.Exit();
        }
    }
}
