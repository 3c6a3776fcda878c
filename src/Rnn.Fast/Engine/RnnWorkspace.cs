using System.Buffers;
using Rnn.Fast.Interop;
using Rnn.Fast.Kernels;

namespace Rnn.Fast;

/// <summary>
/// Runs an <see cref="RnnModel"/> over whole sequence batches: <see cref="Forward(ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, OutputSteps, Span{float})"/>,
/// <see cref="Backward"/> (BPTT), <see cref="ComputeGradients"/> and <see cref="TrainStep(ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, LossKind, TrainingOptions, ReadOnlySpan{float})"/>. It owns every scratch
/// buffer these need, rented from <see cref="ArrayPool{T}.Shared"/>, grown to the largest T and n seen and returned
/// by <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// <para>Inputs are time-major <c>[T][n][d]</c> (X_t[b, i] at ((t−1)·n + b)·d + i), outputs <c>[T][n][o]</c> or
/// <c>[n][o]</c>, every matrix row-major float32.</para>
/// <para>The computation (forward): A_all = bh, then A_all += X_all·Wxh as ONE product over all T·n rows; for
/// t = 1..T, A_t += H_{t−1}·Whh and H_t = tanh(A_t); O = bo, then O += H·Who. Each pre-activation is therefore one
/// chain of fused multiply-adds — bh, then k = 0..d−1 over X·Wxh, then k = 0..h−1 over H·Whh — and each output one
/// chain from bo over H·Who. The kernels compute such a chain identically on every instruction-set path and at every
/// row position, so results are bit-identical across paths, equal to <see cref="RnnStreamingSession.Step"/> run
/// step by step, and a sequence gives the same bits alone as inside any batch.</para>
/// <para>Allocation: a call that needs no larger buffers than an earlier call allocates nothing.</para>
/// <para>Thread safety: a workspace belongs to one thread at a time. Give each thread its own; they may share one
/// model (see <see cref="RnnModel"/>). This is enforced: a call (<see cref="Dispose"/> included) that finds the
/// workspace inside a call of another thread throws <see cref="InvalidOperationException"/> at once and changes nothing,
/// so its pooled buffers are never returned, or grown, while another call uses them. A call that reads the model while
/// another thread updates it throws <see cref="InvalidOperationException"/> instead of mixing two weight sets; the
/// buffers it wrote are then unspecified and the workspace forgets its forward pass.</para>
/// <para>What a refused call leaves behind: an argument check (<see cref="ArgumentException"/> and its subclasses,
/// <see cref="ObjectDisposedException"/>) and the in-use check run before anything is written, so the model, the
/// workspace (its last forward pass included) and your buffers are exactly as they were. For the training step's
/// non-finite guard, see <see cref="TrainStep(ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, LossKind, TrainingOptions, ReadOnlySpan{float})"/>.</para>
/// </remarks>
public sealed unsafe class RnnWorkspace : IDisposable
{
    private readonly RnnModel _model;
    private readonly InstructionSet _path;
    private readonly int _degree;
    private long _parallelMinimumWork = GemmDriver.ParallelMinimumWork;
    private readonly int _stackedStride;
    private readonly int _hiddenStride;

    // Capacity in rows: T·n for the all-steps buffers (the stacked one holds n more, for H_T).
    private int _rowCapacity;

    // Block k = 0..T holds n rows [X_{k+1} | H_k] (d + h floats, at _stackedStride): the inputs of step k+1 beside
    // the hidden state it starts from. So H_0..H_T are one strided matrix, X_1..X_T another, and the rows of blocks
    // 0..T−1 form Z = [X | H_{t−1}], whose Zᵀ·dA is [dWxh ; dWhh] — exactly the first d + h rows of the parameter
    // layout — in ONE product that packs dA once.
    private float[] _stacked = [];
    private float[] _preActivations = [];    // A_1..A_T, T·n rows × h at _hiddenStride
    private float[] _hiddenGradients = [];   // dH_1..dH_T, overwritten in place by dA_1..dA_T
    private float[] _outputs = [];           // O for the loss, dense rows × o
    private float[] _outputGradients = [];   // dO from the loss, dense rows × o
    private readonly TrainingStep _trainingStep;
    private readonly OptimizerState _optimizerState;
    private static readonly SgdOptimizer PlainSgd = new();
    private bool _disposed;

    // One call at a time: every public method enters first and exits last (see ExclusiveUse).
    private ExclusiveUse _use;

    // What the last forward pass left in the buffers, for Backward.
    private bool _hasForward;
    private int _forwardSequenceLength;
    private int _forwardBatchSize;
    private OutputSteps _forwardOutputs;
    private int _forwardModelVersion;

    /// <summary>The one-call-at-a-time check, for tests that force a second thread into a call.</summary>
    internal ref ExclusiveUse Use => ref _use;

    /// <summary>The least work of a product this workspace splits across threads (tests lower it to split small products).</summary>
    internal long ParallelMinimumWork
    {
        get => _parallelMinimumWork;
        set => _parallelMinimumWork = value;
    }

    /// <summary>The rows the all-steps buffers hold (T·n of the largest call so far): for tests that check a refused call grew nothing.</summary>
    internal int RowCapacity => _rowCapacity;

    /// <summary>How many forward passes (<see cref="RunForward"/>) this workspace has run: for tests that count passes.</summary>
    internal int ForwardPassCount { get; private set; }

    /// <summary>How many backward passes (<see cref="RunBackward"/>) this workspace has run: for tests that count passes.</summary>
    internal int BackwardPassCount { get; private set; }

    /// <summary>Creates a workspace for <paramref name="model"/> that runs on the calling thread; buffers are rented at the first call.</summary>
    /// <param name="model">The model this workspace runs; it reads the model's parameters at every call.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public RnnWorkspace(RnnModel model)
        : this(model, 1, clampToProcessors: true)
    {
    }

    /// <summary>
    /// Creates a workspace for <paramref name="model"/> with <paramref name="options"/>: with a
    /// <see cref="RnnWorkspaceOptions.DegreeOfParallelism"/> above 1, its large products run on that many threads (see
    /// <see cref="DegreeOfParallelism"/>). Buffers are rented at the first call.
    /// </summary>
    /// <param name="model">The model this workspace runs; it reads the model's parameters at every call.</param>
    /// <param name="options">How the workspace runs.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="options"/> is null.</exception>
    public RnnWorkspace(RnnModel model, RnnWorkspaceOptions options)
        : this(model, (options ?? throw new ArgumentNullException(nameof(options))).DegreeOfParallelism, clampToProcessors: true)
    {
    }

    /// <summary>
    /// A workspace with <paramref name="degreeOfParallelism"/> threads; without <paramref name="clampToProcessors"/> the
    /// degree is not lowered to the processor count (tests split products three ways on two cores).
    /// </summary>
    internal RnnWorkspace(RnnModel model, int degreeOfParallelism, bool clampToProcessors)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(degreeOfParallelism, 1);
        int processors = clampToProcessors ? Environment.ProcessorCount : WorkerPool.MaxWorkers + 1;
        _degree = Math.Min(degreeOfParallelism, Math.Min(processors, WorkerPool.MaxWorkers + 1));
        _model = model;
        _path = model.InstructionSet;
        _stackedStride = LeadingDimension.For(model.Shape.InputSize + model.Shape.HiddenSize);
        _hiddenStride = LeadingDimension.For(model.Shape.HiddenSize);
        _trainingStep = new TrainingStep(this);
        _optimizerState = new OptimizerState(model.Shape);
    }

    /// <summary>The model this workspace runs.</summary>
    public RnnModel Model => _model;

    /// <summary>
    /// How many threads this workspace's products may run on: <see cref="RnnWorkspaceOptions.DegreeOfParallelism"/>,
    /// lowered to <see cref="Environment.ProcessorCount"/> (more threads than processors would only take turns). 1 unless
    /// asked.
    /// </summary>
    /// <remarks>
    /// A product is split only when it has at least 2^21 multiply-adds (smaller products, between the serial
    /// steps of a call, were measured to gain nothing or lose) — the input projection, the recurrence of a batch, the output layer and the weight gradients
    /// of mid-sized and large models; the elementwise work, the loss, the update and the streaming step stay on the
    /// calling thread. Products are split by output columns (or rows), never by the reduction: every output element is
    /// one chain computed by one thread, so results are bit-identical for every degree. The threads are the library's
    /// own, shared by every workspace of the process, started at the first split product and stopped after two seconds
    /// without one; a workspace whose call finds them busy with another workspace's product runs that product itself.
    /// The calling thread takes part, and nothing is allocated per call. The one-thread-at-a-time rule is the caller's:
    /// the workers only run products inside the call that owns them.
    /// </remarks>
    public int DegreeOfParallelism => _degree;

    /// <summary>Runs the network over a batch from H_0 = 0 and writes the outputs asked for.</summary>
    /// <param name="inputs">X_1..X_T: T·n·d values, time-major <c>[T][n][d]</c>.</param>
    /// <param name="sequenceLength">T, at least 1.</param>
    /// <param name="batchSize">n, at least 1.</param>
    /// <param name="outputSteps">Which outputs to write: the last step's (n·o values) or every step's (T·n·o).</param>
    /// <param name="outputs">The destination: n·o or T·n·o values, as <paramref name="outputSteps"/> says.</param>
    /// <exception cref="ArgumentOutOfRangeException">T or n is below 1, or the buffers would exceed the largest array.</exception>
    /// <exception cref="ArgumentException">A buffer has the wrong length, or <paramref name="outputSteps"/> is not defined.</exception>
    /// <exception cref="ObjectDisposedException">The workspace was disposed.</exception>
    /// <exception cref="InvalidOperationException">Another thread is inside a call of this workspace (nothing changes),
    /// or updated the model during this call (<paramref name="outputs"/> is unspecified and the workspace has no forward pass).</exception>
    public void Forward(ReadOnlySpan<float> inputs, int sequenceLength, int batchSize, OutputSteps outputSteps, Span<float> outputs) =>
        Forward(inputs, sequenceLength, batchSize, default, outputSteps, outputs);

    /// <summary>Runs the network over a batch from the given H_0 and writes the outputs asked for.</summary>
    /// <param name="inputs">X_1..X_T: T·n·d values, time-major <c>[T][n][d]</c>.</param>
    /// <param name="sequenceLength">T, at least 1.</param>
    /// <param name="batchSize">n, at least 1.</param>
    /// <param name="initialHidden">H_0: n·h values <c>[n][h]</c>; empty means zeros.</param>
    /// <param name="outputSteps">Which outputs to write: the last step's (n·o values) or every step's (T·n·o).</param>
    /// <param name="outputs">The destination: n·o or T·n·o values, as <paramref name="outputSteps"/> says.</param>
    /// <exception cref="ArgumentOutOfRangeException">T or n is below 1, or the buffers would exceed the largest array.</exception>
    /// <exception cref="ArgumentException">A buffer has the wrong length, or <paramref name="outputSteps"/> is not defined.</exception>
    /// <exception cref="ObjectDisposedException">The workspace was disposed.</exception>
    /// <exception cref="InvalidOperationException">Another thread is inside a call of this workspace (nothing changes),
    /// or updated the model during this call (<paramref name="outputs"/> is unspecified and the workspace has no forward pass).</exception>
    public void Forward(ReadOnlySpan<float> inputs, int sequenceLength, int batchSize, ReadOnlySpan<float> initialHidden,
        OutputSteps outputSteps, Span<float> outputs)
    {
        _use.Enter(this);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RequireBatch(inputs, sequenceLength, batchSize, initialHidden);
            int o = _model.Shape.OutputSize;
            int outputCount = outputSteps switch
            {
                OutputSteps.LastStep => batchSize * o,
                OutputSteps.EveryStep => RnnShape.SequenceElementCount(sequenceLength, batchSize, o),
                _ => throw new ArgumentException($"{outputSteps} is not a defined {nameof(OutputSteps)}.", nameof(outputSteps)),
            };
            if (outputSteps == OutputSteps.LastStep)
            {
                EngineArguments.RequireLength(outputs, nameof(outputs), "n·o", [batchSize, o], " for " + nameof(OutputSteps.LastStep));
            }
            else
            {
                EngineArguments.RequireLength(outputs, nameof(outputs), "T·n·o", [sequenceLength, batchSize, o], " for " + nameof(OutputSteps.EveryStep));
            }

            int version = _model.BeginRead();
            if (!RunForward(inputs, sequenceLength, batchSize, initialHidden, outputSteps, outputs)) WriteOutputs(outputSteps, outputs);
            EndModelRead(version);
        }
        finally
        {
            _use.Exit();
        }
    }

    /// <summary>Copies H_t, the hidden states after step <paramref name="step"/> of the last forward pass.</summary>
    /// <param name="step">t, from 0 (H_0) to T.</param>
    /// <param name="destination">n·h values <c>[n][h]</c>.</param>
    /// <exception cref="InvalidOperationException">No forward pass has run in this workspace, or another thread is inside
    /// a call of it; nothing is written.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is outside 0..T.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
    /// <exception cref="ObjectDisposedException">The workspace was disposed.</exception>
    public void CopyHiddenState(int step, Span<float> destination)
    {
        _use.Enter(this);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RequireForward(nameof(CopyHiddenState), checkVersion: false);
            ArgumentOutOfRangeException.ThrowIfNegative(step);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(step, _forwardSequenceLength);
            int n = _forwardBatchSize, h = _model.Shape.HiddenSize;
            EngineArguments.RequireLength(destination, nameof(destination), "n·h", [n, h]);
            for (int b = 0; b < n; b++)
            {
                _stacked.AsSpan((step * n + b) * _stackedStride + _model.Shape.InputSize, h).CopyTo(destination.Slice(b * h, h));
            }
        }
        finally
        {
            _use.Exit();
        }
    }

    /// <summary>
    /// Back-propagates through the last forward pass (BPTT): from the gradients of a loss with respect to the
    /// outputs that pass wrote, computes the gradients of every parameter, and optionally of H_0 and of X.
    /// </summary>
    /// <param name="outputGradients">∂L/∂O for the outputs the last forward pass wrote: n·o values for
    /// <see cref="OutputSteps.LastStep"/>, T·n·o for <see cref="OutputSteps.EveryStep"/>.</param>
    /// <param name="parameterGradients">∂L/∂(Wxh, Whh, bh, Who, bo) in <see cref="RnnShape"/>'s layout
    /// (<see cref="RnnShape.ParameterCount"/> values); overwritten.</param>
    /// <param name="initialHiddenGradients">∂L/∂H_0, n·h values, overwritten; empty to skip it.</param>
    /// <param name="inputGradients">∂L/∂X, T·n·d values time-major, overwritten; empty to skip it (saves one product).</param>
    /// <exception cref="InvalidOperationException">No forward pass has run, or the model's parameters changed since, or
    /// another thread is inside a call of this workspace (in each case nothing is written); or another thread updated the
    /// model during this call (the gradients are unspecified and the workspace has no forward pass).</exception>
    /// <exception cref="ArgumentException">A buffer has the wrong length, or a destination overlaps another buffer.</exception>
    /// <exception cref="ObjectDisposedException">The workspace was disposed.</exception>
    public void Backward(ReadOnlySpan<float> outputGradients, Span<float> parameterGradients, Span<float> initialHiddenGradients,
        Span<float> inputGradients)
    {
        _use.Enter(this);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RequireForward(nameof(Backward), checkVersion: true);
            RnnShape shape = _model.Shape;
            int T = _forwardSequenceLength, n = _forwardBatchSize, d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
            bool last = _forwardOutputs == OutputSteps.LastStep;
            if (last)
            {
                EngineArguments.RequireLength(outputGradients, nameof(outputGradients), "n·o", [n, o], ", the last forward pass's outputs (LastStep)");
            }
            else
            {
                EngineArguments.RequireLength(outputGradients, nameof(outputGradients), "T·n·o", [T, n, o], ", the last forward pass's outputs (EveryStep)");
            }
            EngineArguments.RequireParameterLength(parameterGradients, shape, nameof(parameterGradients));
            EngineArguments.RequireLength(initialHiddenGradients, nameof(initialHiddenGradients), "n·h", [n, h], emptyAllowed: true);
            EngineArguments.RequireLength(inputGradients, nameof(inputGradients), "T·n·d", [T, n, d], emptyAllowed: true);
            EngineArguments.RequireDisjoint(outputGradients, nameof(outputGradients), parameterGradients, nameof(parameterGradients));
            EngineArguments.RequireDisjoint(outputGradients, nameof(outputGradients), initialHiddenGradients, nameof(initialHiddenGradients));
            EngineArguments.RequireDisjoint(outputGradients, nameof(outputGradients), inputGradients, nameof(inputGradients));
            EngineArguments.RequireDisjoint(parameterGradients, nameof(parameterGradients), initialHiddenGradients, nameof(initialHiddenGradients));
            EngineArguments.RequireDisjoint(parameterGradients, nameof(parameterGradients), inputGradients, nameof(inputGradients));
            EngineArguments.RequireDisjoint(initialHiddenGradients, nameof(initialHiddenGradients), inputGradients, nameof(inputGradients));

            int version = _model.BeginRead();
            if (_forwardModelVersion != version) RequireForward(nameof(Backward), checkVersion: true); // an update since the check above
            RunBackward(outputGradients, parameterGradients, initialHiddenGradients, inputGradients);
            EndModelRead(version);
        }
        finally
        {
            _use.Exit();
        }
    }

    /// <summary>
    /// Forward from H_0 (zero or given), the loss, and the gradients of every parameter — a training step without
    /// the update, for callers with their own optimizer. The model is not changed.
    /// </summary>
    /// <param name="inputs">X_1..X_T: T·n·d values, time-major.</param>
    /// <param name="sequenceLength">T, at least 1.</param>
    /// <param name="batchSize">n, at least 1.</param>
    /// <param name="targets">n·o values for <see cref="LossKind.LastOutputMeanSquaredError"/>, T·n·o (time-major)
    /// for <see cref="LossKind.AllOutputsMeanSquaredError"/>.</param>
    /// <param name="loss">Which loss; its mean reduction is as <see cref="LossKind"/> documents.</param>
    /// <param name="parameterGradients">∂L/∂p in <see cref="RnnShape"/>'s layout; overwritten.</param>
    /// <param name="initialHidden">H_0, n·h values; empty (the default) means zeros.</param>
    /// <returns>The loss at the model's parameters. Its sum of squares uses one fixed
    /// summation tree, so it is bit-identical on every path.</returns>
    /// <exception cref="ArgumentOutOfRangeException">T or n is below 1, or the buffers would exceed the largest array.</exception>
    /// <exception cref="ArgumentException">A buffer has the wrong length or overlaps another, or <paramref name="loss"/> is not defined.</exception>
    /// <exception cref="ObjectDisposedException">The workspace was disposed.</exception>
    /// <exception cref="InvalidOperationException">Another thread is inside a call of this workspace (nothing changes),
    /// or updated the model during this call (the gradients are unspecified and the workspace has no forward pass).</exception>
    public float ComputeGradients(ReadOnlySpan<float> inputs, int sequenceLength, int batchSize, ReadOnlySpan<float> targets,
        LossKind loss, Span<float> parameterGradients, ReadOnlySpan<float> initialHidden = default)
    {
        _use.Enter(this);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RequireBatch(inputs, sequenceLength, batchSize, initialHidden);
            MeanSquaredErrorLoss.RequireTargets(targets, sequenceLength, batchSize, _model.Shape.OutputSize, loss);
            EngineArguments.RequireParameterLength(parameterGradients, _model.Shape, nameof(parameterGradients));
            EngineArguments.RequireDisjoint(inputs, nameof(inputs), parameterGradients, nameof(parameterGradients));
            EngineArguments.RequireDisjoint(targets, nameof(targets), parameterGradients, nameof(parameterGradients));
            EngineArguments.RequireDisjoint(initialHidden, nameof(initialHidden), parameterGradients, nameof(parameterGradients));
            int version = _model.BeginRead();
            float value = RunLossAndGradients(inputs, sequenceLength, batchSize, targets, loss, initialHidden, parameterGradients);
            EndModelRead(version);
            return value;
        }
        finally
        {
            _use.Exit();
        }
    }

    /// <summary>
    /// One training step: forward from H_0 (zero or given), the loss, BPTT, and plain gradient descent
    /// <c>p ← p − learningRate·∂L/∂p</c> on the model (the bits of <see cref="RnnModel.ApplyGradientDescent"/>), counted
    /// in the workspace's optimizer state as a plain <see cref="SgdOptimizer"/> step. Every argument is checked before the
    /// model changes.
    /// </summary>
    /// <param name="inputs">X_1..X_T: T·n·d values, time-major.</param>
    /// <param name="sequenceLength">T, at least 1.</param>
    /// <param name="batchSize">n, at least 1.</param>
    /// <param name="targets">n·o values for <see cref="LossKind.LastOutputMeanSquaredError"/>, T·n·o (time-major)
    /// for <see cref="LossKind.AllOutputsMeanSquaredError"/>.</param>
    /// <param name="loss">Which loss; its mean reduction is as <see cref="LossKind"/> documents.</param>
    /// <param name="learningRate">The step size: finite and at least 0.</param>
    /// <param name="initialHidden">H_0, n·h values; empty (the default) means zeros.</param>
    /// <returns>The loss before the update, as <see cref="ComputeGradients"/> returns it.</returns>
    /// <exception cref="ArgumentOutOfRangeException">T or n is below 1, the buffers would exceed the largest array, or
    /// <paramref name="learningRate"/> is negative, infinite or NaN.</exception>
    /// <exception cref="ArgumentException">A buffer has the wrong length, or <paramref name="loss"/> is not defined.</exception>
    /// <exception cref="ObjectDisposedException">The workspace was disposed.</exception>
    /// <exception cref="InvalidOperationException">Another thread is inside a call of this workspace (nothing changes), or
    /// updated the model during this step or is updating it (this step's update is not applied, and the workspace has no
    /// forward pass), or the workspace's optimizer state belongs to an optimizer with state (momentum, Adam; nothing
    /// changes; see <see cref="ResetTrainingState"/>).</exception>
    public float TrainStep(ReadOnlySpan<float> inputs, int sequenceLength, int batchSize, ReadOnlySpan<float> targets,
        LossKind loss, float learningRate, ReadOnlySpan<float> initialHidden = default)
    {
        _use.Enter(this);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RequireBatch(inputs, sequenceLength, batchSize, initialHidden);
            MeanSquaredErrorLoss.RequireTargets(targets, sequenceLength, batchSize, _model.Shape.OutputSize, loss);
            EngineArguments.RequireLearningRate(learningRate);
            _optimizerState.RequireCompatible(PlainSgd);
            _optimizerState.Prepare(learningRate);
            return _trainingStep.Run(inputs, sequenceLength, batchSize, targets, loss, initialHidden, new OptimizerUpdate(_optimizerState), null, null,
                guardNonFinite: false).Loss;
        }
        finally
        {
            _use.Exit();
        }
    }

    /// <summary>
    /// One training step with <paramref name="options"/>: forward from H_0 (zero or given), the loss, BPTT, then —
    /// when asked — the non-finite guard and gradient clipping by value and by global norm, and the update of the
    /// options' optimizer (plain gradient descent <c>p ← p − lr·g</c> by default; SGD with momentum, Adam, AdamW) at the
    /// schedule's learning rate for this workspace's step count, which updates the optimizer state the workspace keeps
    /// (<see cref="CopyTrainingState"/>). Every argument is checked before the model changes, and a step the guard
    /// refuses leaves the model and the optimizer state bit-identical.
    /// </summary>
    /// <param name="inputs">X_1..X_T: T·n·d values, time-major.</param>
    /// <param name="sequenceLength">T, at least 1.</param>
    /// <param name="batchSize">n, at least 1.</param>
    /// <param name="targets">n·o values for <see cref="LossKind.LastOutputMeanSquaredError"/>, T·n·o (time-major)
    /// for <see cref="LossKind.AllOutputsMeanSquaredError"/>.</param>
    /// <param name="loss">Which loss; its mean reduction is as <see cref="LossKind"/> documents.</param>
    /// <param name="options">The learning rate and schedule, optimizer, parameter groups, clipping and guard (see <see cref="TrainingOptions"/>).</param>
    /// <param name="initialHidden">H_0, n·h values; empty (the default) means zeros.</param>
    /// <returns>The loss before the update, the gradient norm before clipping when clipping by norm was asked, and the learning rate used.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">T or n is below 1, or the buffers would exceed the largest array.</exception>
    /// <exception cref="ArgumentException">A buffer has the wrong length, or <paramref name="loss"/> is not defined.</exception>
    /// <exception cref="NonFiniteValueException">The guard is on and found a NaN or an infinity in the inputs, H_0, the
    /// targets, the loss, a gradient, or a parameter or optimizer-state value as the update would leave it; the model and
    /// the optimizer state were not updated (bit-identical).
    /// A refusal of the inputs, H_0 or the targets happens before the forward pass and leaves the workspace as it was; a
    /// later one leaves the workspace holding this step's forward pass at the unchanged parameters, as
    /// <see cref="ComputeGradients"/> would (so <see cref="Backward"/> and <see cref="CopyHiddenState"/> can inspect it).</exception>
    /// <exception cref="ObjectDisposedException">The workspace was disposed.</exception>
    /// <exception cref="InvalidOperationException">Another thread is inside a call of this workspace (nothing changes), or
    /// updated the model during this step or is updating it (this step's update is not applied, and the workspace has no
    /// forward pass), or the workspace's optimizer state belongs to another kind of optimizer than
    /// <see cref="TrainingOptions.Optimizer"/> (nothing changes; see <see cref="ResetTrainingState"/>).</exception>
    public TrainingStepResult TrainStep(ReadOnlySpan<float> inputs, int sequenceLength, int batchSize, ReadOnlySpan<float> targets,
        LossKind loss, TrainingOptions options, ReadOnlySpan<float> initialHidden = default)
    {
        _use.Enter(this);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentNullException.ThrowIfNull(options);
            RequireBatch(inputs, sequenceLength, batchSize, initialHidden);
            MeanSquaredErrorLoss.RequireTargets(targets, sequenceLength, batchSize, _model.Shape.OutputSize, loss);
            _optimizerState.RequireCompatible(options.Optimizer);
            _optimizerState.Prepare(options);
            TrainingStepResult result = _trainingStep.Run(inputs, sequenceLength, batchSize, targets, loss, initialHidden,
                new OptimizerUpdate(_optimizerState), options.MaxGradientValue, options.MaxGradientNorm, options.GuardNonFinite);
            return result with { LearningRate = _optimizerState.LearningRateOf(RnnParameter.Wxh) };
        }
        finally
        {
            _use.Exit();
        }
    }

    /// <summary>
    /// A copy of the optimizer state this workspace's training steps keep (the optimizer it belongs to, the step count,
    /// the momentum buffer or Adam's moments), for saving a checkpoint with the model. Allocates the copy.
    /// </summary>
    /// <returns>The state; before the first step, one with no <see cref="TrainingState.Kind"/> and step count 0.</returns>
    /// <exception cref="ObjectDisposedException">The workspace was disposed.</exception>
    /// <exception cref="InvalidOperationException">Another thread is inside a call of this workspace.</exception>
    public TrainingState CopyTrainingState()
    {
        _use.Enter(this);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _optimizerState.Copy();
        }
        finally
        {
            _use.Exit();
        }
    }

    /// <summary>
    /// Replaces this workspace's optimizer state with <paramref name="state"/> (from <see cref="CopyTrainingState"/>, a
    /// file, or <see cref="TrainingState.Create"/>): the next training step continues that run, bit for bit as if it
    /// had never stopped (with the same options, data and model parameters). Rents the state's buffers if this
    /// workspace has none yet.
    /// </summary>
    /// <param name="state">The state; of the model's shape.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">The state belongs to another shape; nothing changed.</exception>
    /// <exception cref="ObjectDisposedException">The workspace was disposed.</exception>
    /// <exception cref="InvalidOperationException">Another thread is inside a call of this workspace; nothing changed.</exception>
    public void RestoreTrainingState(TrainingState state)
    {
        _use.Enter(this);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentNullException.ThrowIfNull(state);
            if (state.Shape != _model.Shape)
            {
                throw new ArgumentException(
                    $"The training state belongs to a model of shape {state.Shape}, but this workspace's model has shape {_model.Shape}; nothing changed.", nameof(state));
            }
            _optimizerState.Restore(state);
        }
        finally
        {
            _use.Exit();
        }
    }

    /// <summary>
    /// Forgets the optimizer state (step count 0, buffers zero), as a new PyTorch optimizer would start: the next
    /// training step may use any optimizer.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The workspace was disposed.</exception>
    /// <exception cref="InvalidOperationException">Another thread is inside a call of this workspace; nothing changed.</exception>
    public void ResetTrainingState()
    {
        _use.Enter(this);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _optimizerState.Reset();
        }
        finally
        {
            _use.Exit();
        }
    }

    /// <summary>Returns the rented buffers to the pool. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
    /// <exception cref="InvalidOperationException">Another thread is inside a call of this workspace: its buffers are
    /// not returned while it uses them (nothing changes).</exception>
    public void Dispose()
    {
        _use.Enter(this);
        try
        {
            if (_disposed) return;
            _disposed = true;
            _hasForward = false;
            Return(ref _stacked);
            Return(ref _preActivations);
            Return(ref _hiddenGradients);
            Return(ref _outputs);
            Return(ref _outputGradients);
            _trainingStep.Dispose();
            _optimizerState.Dispose();
            _rowCapacity = 0;
        }
        finally
        {
            _use.Exit();
        }
    }

    /// <summary>
    /// Ends a read of the model begun with <see cref="RnnModel.BeginRead"/>: when another thread updated the model
    /// meanwhile, the buffers hold a mix of two weight sets, so the workspace forgets its forward pass and the call throws.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model was updated during the call.</exception>
    internal void EndModelRead(int version)
    {
        if (_model.IsUnchangedSince(version)) return;
        _hasForward = false;
        _model.EndRead(version);
    }

    /// <summary>
    /// Forward, outputs, L and dO = ∂L/∂O, then BPTT into <paramref name="parameterGradients"/>; with
    /// <paramref name="hiddenGradientsOnly"/>, only its first half (<see cref="RunHiddenGradients"/>: the bias gradients,
    /// and dA in the workspace), for <see cref="DescendWeights"/>. Arguments are checked.
    /// </summary>
    internal float RunLossAndGradients(ReadOnlySpan<float> inputs, int T, int n, ReadOnlySpan<float> targets, LossKind loss,
        ReadOnlySpan<float> initialHidden, Span<float> parameterGradients, bool hiddenGradientsOnly = false)
    {
        OutputSteps steps = MeanSquaredErrorLoss.ComparedOutputs(loss);
        int count = targets.Length;
        EnsureCapacity(T * n, n);
        Span<float> outputs = _outputs.AsSpan(0, count);
        Span<float> outputGradients = _outputGradients.AsSpan(0, count);
        if (!RunForward(inputs, T, n, initialHidden, steps, outputs, forGradients: true)) WriteOutputs(steps, outputs);
        float value = MeanSquaredErrorLoss.LossAndOutputGradients(outputs, targets, outputGradients, _path);
        if (hiddenGradientsOnly) RunHiddenGradients(outputGradients, parameterGradients);
        else RunBackward(outputGradients, parameterGradients, default, default);
        return value;
    }

    /// <summary>The optimizer state the training steps of this workspace update.</summary>
    internal OptimizerState OptimizerState => _optimizerState;

    /// <summary>The outputs the last <see cref="RunLossAndGradients"/> compared with the targets: <paramref name="count"/> dense values.</summary>
    internal ReadOnlySpan<float> LossOutputs(int count) => _outputs.AsSpan(0, count);

    /// <summary>
    /// A_all = bh + X_all·Wxh (one product over all T·n rows, each chain starting from bh); for t = 1..T:
    /// H_t = tanh(A_t + H_{t−1}·Whh), the tanh applied in the register tiles. A model whose stacked pack fits in L1
    /// (<see cref="RnnModel.RunsStepsAsOneProduct"/>) runs each step as one product instead,
    /// H_t = tanh(bh + [X_t | H_{t−1}]·[Wxh ; Whh]) over the block's rows as they lie: the same chains, one driver call
    /// per step and no pre-activations stored. Arguments are checked, so the products call the GEMM driver directly.
    /// A small layer (<see cref="SmallRecurrence"/>) asked for the last step's outputs writes them to
    /// <paramref name="lastStepOutputs"/> (n·o values) in the same pass, the bits <see cref="WriteOutputs"/> would write,
    /// and returns true; otherwise the caller writes the outputs. A pass <paramref name="forGradients"/> reads the stacked
    /// weights as <see cref="RnnModel.StackedWeightsForGradients"/> gives them.
    /// </summary>
    /// <returns>Whether the last step's outputs were written to <paramref name="lastStepOutputs"/>.</returns>
    internal bool RunForward(ReadOnlySpan<float> inputs, int T, int n, ReadOnlySpan<float> initialHidden, OutputSteps outputs,
        Span<float> lastStepOutputs = default, bool forGradients = false)
    {
        RnnShape shape = _model.Shape;
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        int lds = _stackedStride, ldh = _hiddenStride, rows = T * n;
        EnsureCapacity(rows, n);
        _hasForward = false;
        bool writesOutputs = false;

        fixed (float* from = inputs)
        fixed (float* initial = initialHidden)
        fixed (float* ps = _stacked)
        fixed (float* pa = _preActivations)
        fixed (float* pParameters = _model.ParameterArray)
        {
            // X_t[b] goes to block t−1, columns 0..d−1; H_t[b] lives in block t, columns d..d+h−1.
            for (int r = 0; r < rows; r++) GemmPacking.CopyShort(from + r * d, ps + r * lds, d);
            for (int b = 0; b < n; b++)
            {
                if (initial == null) GemmPacking.ClearShort(ps + b * lds + d, h);
                else GemmPacking.CopyShort(initial + b * h, ps + b * lds + d, h);
            }

            float* pBias = _model.PaddedHiddenBias;
            PackedPanels stackedWeights = forGradients ? _model.StackedWeightsForGradients(pParameters, rows) : _model.StackedWeights(pParameters);
            if (_model.RunsStepsAsOneProduct)
            {
                // Block t−1's rows are [X_t | H_{t−1}]: each step reads the stacked pack once, from L1.
                if (SmallRecurrence.Supports(_path, h, 1))
                {
                    // A small layer: every step's product and tanh in one pass, with no driver between steps, and the
                    // last step's outputs with them when the output layer is small too.
                    writesOutputs = outputs == OutputSteps.LastStep && lastStepOutputs.Length == n * o && SmallRecurrence.Supports(_path, h, o);
                    PackedPanels who = _model.OutputWeights(pParameters);
                    fixed (float* po = lastStepOutputs)
                    {
                        SmallRecurrence.Steps(T, n * lds, n, ps, lds, d + h, stackedWeights.Panel(0), stackedWeights.RowStride(0), pBias, h,
                            ps + n * lds + d, lds, who.Panel(0), who.RowStride(0), _model.PaddedOutputBias, writesOutputs ? o : 1,
                            writesOutputs ? po : null, o);
                    }
                }
                else
                {
                    for (int t = 1; t <= T; t++)
                    {
                        int stepStart = (t - 1) * n;
                        GemmDriver.RunParallel<StoreTanh>(_degree, _path, ps + stepStart * lds, lds, 1, stackedWeights, ps + (stepStart + n) * lds + d, lds, n, d + h,
                            pBias, 0, reversePanels: t % 2 == 0, paddedStart: true, minimumWork: _parallelMinimumWork);
                    }
                }
            }
            else
            {
                RunInputProjectionAndRecurrence(ps, pa, pBias, stackedWeights, T, n);
            }
        }

        GC.KeepAlive(_model);
        _forwardSequenceLength = T;
        _forwardBatchSize = n;
        _forwardOutputs = outputs;
        _forwardModelVersion = _model.Version;
        _hasForward = true;
        ForwardPassCount++;
        return writesOutputs;
    }

    /// <summary>A_all = bh + X_all·Wxh over all T·n rows, then for t = 1..T: H_t = tanh(A_t + H_{t−1}·Whh).</summary>
    private void RunInputProjectionAndRecurrence(float* ps, float* pa, float* pBias, PackedPanels stackedWeights, int T, int n)
    {
        int d = _model.Shape.InputSize, h = _model.Shape.HiddenSize;
        int lds = _stackedStride, ldh = _hiddenStride, rows = T * n;
        // Every pre-activation chain starts from bh, exactly as RnnStreamingSession.Step starts it, and continues over
        // k = 0..d−1 (X·Wxh) then, below, over k = d..d+h−1 (H·Whh): the chain of the step's one stacked product.
        GemmDriver.RunParallel<StoreSum>(_degree, _path, ps, lds, 1, stackedWeights.Slice(0, d), pa, ldh, rows, d, pBias, 0, paddedStart: true, minimumWork: _parallelMinimumWork);
        PackedPanels whh = stackedWeights.Slice(d, h);
        for (int t = 1; t <= T; t++)
        {
            int stepStart = (t - 1) * n; // first row of A_t, and of block t−1 (X_t beside H_{t−1})
            // H_t = tanh(A_t + H_{t−1}·Whh) into block t. Alternate steps run Whh's panels in opposite orders, so at
            // small batches a step starts where the last one ended, in L1.
            // A_t's rows are ldh ≥ h rounded up to 16 floats apart inside a buffer of T·n such rows: read in place.
            GemmDriver.RunParallel<StoreTanh>(_degree, _path, ps + stepStart * lds + d, lds, 1, whh, ps + (stepStart + n) * lds + d, lds, n, h,
                pa + stepStart * ldh, ldh, reversePanels: t % 2 == 0, paddedStart: true, minimumWork: _parallelMinimumWork);
        }
    }

    /// <summary>O = bo + H·Who over the last step's rows or every step's rows, into a dense destination.</summary>
    internal void WriteOutputs(OutputSteps steps, Span<float> outputs)
    {
        int T = _forwardSequenceLength, n = _forwardBatchSize;
        int d = _model.Shape.InputSize, h = _model.Shape.HiddenSize, o = _model.Shape.OutputSize;
        int rows = steps == OutputSteps.LastStep ? n : T * n;
        int firstHiddenRow = steps == OutputSteps.LastStep ? T * n : n; // H_T, or H_1
        fixed (float* ps = _stacked)
        fixed (float* po = outputs)
        fixed (float* pParameters = _model.ParameterArray)
        {
            GemmDriver.RunParallel<StoreSum>(_degree, _path, ps + firstHiddenRow * _stackedStride + d, _stackedStride, 1, _model.OutputWeights(pParameters), po, o, rows, h,
                _model.PaddedOutputBias, 0, paddedStart: true, minimumWork: _parallelMinimumWork);
        }

        GC.KeepAlive(_model);
    }

    /// <summary>
    /// BPTT over the buffers of the last forward pass: the gradients of <see cref="RunHiddenGradients"/>, then each over
    /// all steps at once: dWho = Hᵀ·dO, [dWxh ; dWhh] = [X | H_{t−1}]ᵀ·dA, dX = dA·Wxhᵀ, dH_0 = dA_1·Whhᵀ. Arguments are
    /// checked, so the products call the GEMM driver directly.
    /// </summary>
    internal void RunBackward(ReadOnlySpan<float> outputGradients, Span<float> parameterGradients, Span<float> initialHiddenGradients,
        Span<float> inputGradients)
    {
        RunHiddenGradients(outputGradients, parameterGradients);
        RnnShape shape = _model.Shape;
        int T = _forwardSequenceLength, n = _forwardBatchSize;
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        int lds = _stackedStride, ldh = _hiddenStride, rows = T * n;
        (int outputRows, int firstOutputRow) = OutputRows();
        fixed (float* ps = _stacked)
        fixed (float* pdH = _hiddenGradients)
        fixed (float* pdO = outputGradients)
        fixed (float* pGradients = parameterGradients)
        {
            // dWho = Hᵀ·dO: Hᵀ is the transposed view of the hidden rows (row stride 1, depth stride lds).
            MatrixMultiply.RunPlainB(ps + (firstOutputRow + n) * lds + d, 1, lds, pdO, o, 1, outputRows, o, pGradients + shape.WhoOffset, o, h,
                accumulate: false, _path, degree: _degree, minimumWork: _parallelMinimumWork);
            // [dWxh ; dWhh] = Zᵀ·dA with Z's rows [X_t | H_{t−1}]: the parameter layout puts Whh right after Wxh, both
            // h wide, so the pair is one (d + h)×h matrix and one product (each element's chain is the same as in two).
            MatrixMultiply.RunPlainB(ps, 1, lds, pdH, ldh, 1, rows, h, pGradients, h, d + h, accumulate: false, _path, degree: _degree, minimumWork: _parallelMinimumWork);
            if (!inputGradients.IsEmpty)
            {
                fixed (float* pdX = inputGradients)
                {
                    GemmDriver.RunParallel<StoreSum>(_degree, _path, pdH, ldh, 1, _model.InputWeightsTransposed.Panels, pdX, d, rows, h, null, 0, minimumWork: _parallelMinimumWork);
                }
            }

            if (!initialHiddenGradients.IsEmpty)
            {
                fixed (float* pdH0 = initialHiddenGradients)
                {
                    GemmDriver.RunParallel<StoreSum>(_degree, _path, pdH, ldh, 1, _model.RecurrentWeightsTransposed.Panels, pdH0, h, n, h, null, 0, minimumWork: _parallelMinimumWork);
                }
            }
        }

        GC.KeepAlive(_model);
    }

    /// <summary>The rows with outputs, and the first of them counted from step 1: every step's (from H_1), or the last step's (from H_T).</summary>
    private (int Rows, int First) OutputRows() => _forwardOutputs == OutputSteps.EveryStep
        ? (_forwardSequenceLength * _forwardBatchSize, 0)
        : (_forwardBatchSize, (_forwardSequenceLength - 1) * _forwardBatchSize);

    /// <summary>
    /// The first half of BPTT, which reads the model: dbo = Σ dO, dH = dO·Whoᵀ; for t = T..1: dA_t = (dH_t + dA_{t+1}·Whhᵀ)
    /// ⊙ (1 − H_t²), the tanh gradient applied in the register tiles, into the hidden-gradient rows; dbh = Σ dA. The
    /// bias gradients go to <paramref name="parameterGradients"/>; its weight gradients are left as they were.
    /// </summary>
    private void RunHiddenGradients(ReadOnlySpan<float> outputGradients, Span<float> parameterGradients)
    {
        RnnShape shape = _model.Shape;
        int T = _forwardSequenceLength, n = _forwardBatchSize;
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        int lds = _stackedStride, ldh = _hiddenStride, rows = T * n;
        bool everyStep = _forwardOutputs == OutputSteps.EveryStep;
        BackwardPassCount++;

        // The bias gradients are column sums added into cleared rows.
        shape.Bh(parameterGradients).Clear();
        shape.Bo(parameterGradients).Clear();
        PackedPanels whoTransposed = _model.OutputWeightsTransposed.Panels;
        // Only a sequence longer than one step reads Whhᵀ in the recurrence.
        PackedPanels whhTransposed = T > 1 ? _model.RecurrentWeightsTransposed.Panels : default;
        (int outputRows, int firstOutputRow) = OutputRows();
        fixed (float* ps = _stacked)
        fixed (float* pdH = _hiddenGradients)
        fixed (float* pdO = outputGradients)
        fixed (float* pGradients = parameterGradients)
        {
            BiasKernels.AddColumnSums(pdO, outputRows, o, o, pGradients + shape.BoOffset, _path);
            GemmDriver.RunParallel<StoreSum>(_degree, _path, pdO, o, 1, whoTransposed, pdH + firstOutputRow * ldh, ldh, outputRows, o, null, 0, minimumWork: _parallelMinimumWork);

            // The only sequential part. With every step's outputs, dH_t already holds dO_t·Whoᵀ and the recurrence adds
            // to it; with the last step's only, dH_t for t < T is the recurrence alone.
            if (SmallRecurrence.Supports(_path, h, 1))
            {
                // A small layer: every step of the recurrence in one pass, with no driver between steps (the same chains).
                SmallRecurrence.BackwardSteps(T, n, pdH, ldh, everyStep, T > 1 ? whhTransposed.Panel(0) : null, T > 1 ? whhTransposed.RowStride(0) : 0, h,
                    ps + n * lds + d, lds);
            }
            else
            {
                for (int t = T; t >= 1; t--)
                {
                    int stepStart = (t - 1) * n;
                    float* gradients = pdH + stepStart * ldh;
                    float* hidden = ps + (stepStart + n) * lds + d; // H_t
                    if (t == T)
                    {
                        // H_t = tanh(A_t), tanh' = 1 − H_t²: dA_T = dH_T ⊙ (1 − H_T²), in place over dH_T.
                        for (int b = 0; b < n; b++)
                        {
                            ElementwiseDriver.Binary(default(TanhGradientOperator), hidden + b * lds, gradients + b * ldh, gradients + b * ldh, h, _path);
                        }

                        continue;
                    }

                    // dA_t = (dH_t + dA_{t+1}·Whhᵀ) ⊙ (1 − H_t²), in place over dH_t. As in the forward pass, alternate steps
                    // take Whhᵀ's panels in opposite orders.
                    GemmDriver.RunParallel<StoreTanhGradient>(_degree, _path, gradients + n * ldh, ldh, 1, whhTransposed, gradients, ldh, n, h,
                        everyStep ? gradients : null, ldh, hidden, lds, reversePanels: t % 2 == 0, paddedStart: true, minimumWork: _parallelMinimumWork);
                }
            }

            // dH now holds dA_1..dA_T.
            BiasKernels.AddColumnSums(pdH, rows, h, ldh, pGradients + shape.BhOffset, _path);
        }

        GC.KeepAlive(_model);
    }

    /// <summary>
    /// Whether a training step over the last forward pass may apply plain gradient descent to the weights as it computes
    /// their gradients (<see cref="DescendWeights"/>): at most <see cref="FusedDescentRows"/> rows (T·n), where each
    /// weight gradient is an outer product, and a product a single thread computes.
    /// </summary>
    internal bool FusesDescent(int T, int n)
    {
        RnnShape shape = _model.Shape;
        long rows = (long)T * n, stacked = ((long)shape.InputSize + shape.HiddenSize) * shape.HiddenSize;
        return rows <= FusedDescentRows && (_degree == 1 || rows * stacked < _parallelMinimumWork);
    }

    /// <summary>
    /// The most rows (T·n) of a training step that applies plain descent as it computes the weight gradients: one. Then
    /// each gradient is an outer product, and one pass that reads and writes the weights saves the pass that stores the
    /// gradient and the one that reads it back. With more rows each element's chain is longer and the fused kernel runs
    /// it from memory without the GEMM's register tiles, which costs more than the saved pass.
    /// </summary>
    internal const int FusedDescentRows = 1;

    /// <summary>
    /// The training step's plain gradient descent, after <see cref="RunHiddenGradients"/>: each weight matrix updated
    /// as its gradient is computed (<see cref="WeightGradientDescent"/>, the bits of the gradient products followed by
    /// the update), and the biases from <paramref name="gradients"/>' bias gradients. <paramref name="negatedRates"/>
    /// holds each tensor's −rate, indexed by <see cref="RnnParameter"/>; <paramref name="parameters"/> is the model's
    /// buffer, being updated (<see cref="RnnModel.BeginUpdate"/>).
    /// </summary>
    internal void DescendWeights(Span<float> parameters, ReadOnlySpan<float> gradients, ReadOnlySpan<float> negatedRates)
    {
        RnnShape shape = _model.Shape;
        int T = _forwardSequenceLength, n = _forwardBatchSize;
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        int lds = _stackedStride, ldh = _hiddenStride, rows = T * n;
        (int outputRows, int firstOutputRow) = OutputRows();
        fixed (float* ps = _stacked)
        fixed (float* pdH = _hiddenGradients)
        fixed (float* pdO = _outputGradients)
        fixed (float* pParameters = parameters)
        {
            // Wxh and Whh against [X_t | H_{t−1}]ᵀ·dA (Wxh's rows are the first d of Z's columns), Who against Hᵀ·dO.
            WeightGradientDescent.Apply(_path, ps, lds, pdH, ldh, rows, pParameters, h, d, h, negatedRates[(int)RnnParameter.Wxh]);
            WeightGradientDescent.Apply(_path, ps + d, lds, pdH, ldh, rows, pParameters + shape.WhhOffset, h, h, h, negatedRates[(int)RnnParameter.Whh]);
            WeightGradientDescent.Apply(_path, ps + (firstOutputRow + n) * lds + d, lds, pdO, o, outputRows, pParameters + shape.WhoOffset, o, h, o,
                negatedRates[(int)RnnParameter.Who]);
        }

        VectorArithmetic.AddScaled(shape.Bh(gradients), negatedRates[(int)RnnParameter.Bh], shape.Bh(parameters), _path);
        VectorArithmetic.AddScaled(shape.Bo(gradients), negatedRates[(int)RnnParameter.Bo], shape.Bo(parameters), _path);
    }

    internal void RequireBatch(ReadOnlySpan<float> inputs, int T, int n, ReadOnlySpan<float> initialHidden)
    {
        RnnShape shape = _model.Shape;
        int widest = Math.Max(Math.Max(_stackedStride, _hiddenStride), shape.OutputSize);
        EngineArguments.RequireSequence(T, n, widest);
        int d = shape.InputSize, h = shape.HiddenSize;
        EngineArguments.RequireLength(inputs, nameof(inputs), "T·n·d", [T, n, d]);
        EngineArguments.RequireLength(initialHidden, nameof(initialHidden), "n·h", [n, h], " for H_0", emptyAllowed: true);
    }

    private void RequireForward(string operation, bool checkVersion)
    {
        if (!_hasForward)
        {
            throw new InvalidOperationException($"{operation} needs a forward pass first: call Forward (or ComputeGradients) in this workspace.");
        }

        if (checkVersion && _forwardModelVersion != _model.Version)
        {
            throw new InvalidOperationException(
                $"{operation} needs the parameters the last forward pass ran with, but the model's parameters have changed since; run Forward again.");
        }
    }

    /// <summary>Grows every all-steps buffer to hold <paramref name="rows"/> = T·n rows (and H, n more); never shrinks.</summary>
    private void EnsureCapacity(int rows, int batchSize)
    {
        int o = _model.Shape.OutputSize;
        if (rows > _rowCapacity)
        {
            Grow(ref _preActivations, (long)rows * _hiddenStride);
            Grow(ref _hiddenGradients, (long)rows * _hiddenStride);
            Grow(ref _outputs, (long)rows * o);
            Grow(ref _outputGradients, (long)rows * o);
            _rowCapacity = rows;
        }

        Grow(ref _stacked, (long)(rows + batchSize) * _stackedStride);
    }

    private static void Grow(ref float[] buffer, long length)
    {
        if (buffer.Length >= length) return;
        Return(ref buffer);
        buffer = ArrayPool<float>.Shared.Rent((int)length);
    }

    private static void Return(ref float[] buffer)
    {
        if (buffer.Length > 0) ArrayPool<float>.Shared.Return(buffer);
        buffer = [];
    }
}
