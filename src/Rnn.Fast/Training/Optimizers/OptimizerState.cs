using System.Buffers;
using Rnn.Fast.Interop;
using Rnn.Fast.Kernels;

namespace Rnn.Fast;

/// <summary>
/// A workspace's optimizer state and the update it drives: the step count, the buffers in the parameter layout
/// (rented once, at the first step of an optimizer that needs them), the learning rate of each tensor for the coming
/// step (its schedule advanced by one evaluation per step), and one fused pass per run of tensors with equal
/// hyper-parameters. <see cref="IndexOfFirstNonFiniteResult"/> evaluates exactly what <see cref="Apply"/> stores —
/// parameters and state — and writes nothing, so a step the guard refuses changes neither.
/// </summary>
internal sealed class OptimizerState : IDisposable
{
    /// <summary>The model's tensors (<see cref="RnnParameter"/>): Wxh, Whh, bh, Who, bo.</summary>
    internal const int TensorCount = 5;

    private readonly RnnShape _shape;
    private readonly int[] _offsets;
    private readonly int[] _lengths;
    private TrainingStateKind? _kind;
    private long _steps;
    private float[] _state1 = [];
    private float[] _state2 = [];
    private float[] _state3 = [];

    // The plan of the coming step (Prepare): the optimizer and, per run of adjacent tensors with equal settings, where
    // it is and its learning rate and weight decay.
    private static readonly SgdOptimizer PlainSgd = new();
    private Optimizer _optimizer = PlainSgd;
    private readonly (int Offset, int Length, double LearningRate, double WeightDecay)[] _runs = new (int, int, double, double)[TensorCount];
    private int _runCount;

    // The schedule's position: each tensor's rate at step _rateStep, for _rateSchedule and the initial rates _rateInitial.
    private readonly double[] _rates = new double[TensorCount];
    private readonly float[] _rateInitial = new float[TensorCount];
    private LearningRateSchedule? _rateSchedule;
    private long _rateStep = -1;

    /// <summary>The state of a workspace for models of <paramref name="shape"/>, before any step.</summary>
    public OptimizerState(RnnShape shape)
    {
        _shape = shape;
        _offsets = [shape.WxhOffset, shape.WhhOffset, shape.BhOffset, shape.WhoOffset, shape.BoOffset];
        _lengths = [shape.WxhLength, shape.WhhLength, shape.BhLength, shape.WhoLength, shape.BoLength];
    }

    /// <summary>Updates taken.</summary>
    public long StepCount => _steps;

    /// <summary>
    /// Throws unless a step with <paramref name="optimizer"/> may run on this state: before the first step any may;
    /// after it, only one of the kind the state belongs to. Changes nothing.
    /// </summary>
    public void RequireCompatible(Optimizer optimizer)
    {
        optimizer.Validate();
        TrainingStateKind kind = optimizer.StateKind;
        if (_kind is TrainingStateKind bound && bound != kind)
        {
            throw new InvalidOperationException(
                $"The workspace's optimizer state belongs to {bound} (after {_steps} steps), but this step asks for {kind}. " +
                $"Train on with a {bound} optimizer, restore a {kind} state (RestoreTrainingState), or start anew (ResetTrainingState).");
        }
    }

    /// <summary>
    /// Plans the coming step: each tensor's learning rate (its schedule at <see cref="StepCount"/>) and weight decay,
    /// merged into runs, and the state buffers (rented and zeroed at the first step that needs them). Call
    /// <see cref="RequireCompatible"/> first. Allocates nothing after the first step.
    /// </summary>
    public void Prepare(TrainingOptions options)
    {
        _optimizer = options.Optimizer;
        EnsureBuffers(TrainingState.BufferCount(_optimizer.StateKind));
        UpdateRates(options);
        _runCount = 0;
        for (int t = 0; t < TensorCount; t++)
        {
            double rate = _rates[t], decay = options.WeightDecayOf((RnnParameter)t);
            if (_lengths[t] == 0) continue;
            if (_runCount > 0 && _runs[_runCount - 1].LearningRate.Equals(rate) && _runs[_runCount - 1].WeightDecay.Equals(decay))
            {
                _runs[_runCount - 1].Length += _lengths[t];
                continue;
            }
            _runs[_runCount++] = (_offsets[t], _lengths[t], rate, decay);
        }
    }

    /// <summary>Plans a plain gradient-descent step with <paramref name="learningRate"/> (<see cref="RnnWorkspace.TrainStep(ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, LossKind, float, ReadOnlySpan{float})"/>).</summary>
    public void Prepare(float learningRate)
    {
        _optimizer = PlainSgd;
        _runCount = 1;
        _runs[0] = (0, _shape.ParameterCount, learningRate, 0);
        for (int t = 0; t < TensorCount; t++) _rates[t] = learningRate;
        _rateStep = -1;
    }

    /// <summary>The learning rate the planned step gives <paramref name="tensor"/>.</summary>
    public double LearningRateOf(RnnParameter tensor) => _rates[(int)tensor];

    /// <summary>The first parameter whose new value or new state the planned step would make non-finite, or −1; writes nothing.</summary>
    public int IndexOfFirstNonFiniteResult(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, InstructionSet path)
    {
        for (int r = 0; r < _runCount; r++)
        {
            (int offset, int length, double rate, double decay) = _runs[r];
            ReadOnlySpan<float> p = parameters.Slice(offset, length), g = gradients.Slice(offset, length);
            int i = _optimizer switch
            {
                SgdOptimizer { Momentum: 0 } when decay == 0 =>
                    NonFiniteValues.IndexOfFirstNonFiniteResult(new MultiplyAddScalarOperator((float)-rate), g, p, path),
                SgdOptimizer sgd => OptimizerDriver.IndexOfFirstNonFinite(Sgd(sgd, rate, decay), p, g, State(_state1, offset, length, 1), default, default, path),
                _ => OptimizerDriver.IndexOfFirstNonFinite(Adam(rate, decay), p, g, State(_state1, offset, length, 1),
                    State(_state2, offset, length, 2), State(_state3, offset, length, 3), path),
            };
            if (i >= 0) return offset + i;
        }
        return -1;
    }

    /// <summary>The first non-finite value the planned step would store for parameter <paramref name="index"/>: its new value, or else its new state's.</summary>
    public (float Value, string? State) ResultAt(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, int index)
    {
        for (int r = 0; r < _runCount; r++)
        {
            (int offset, int length, double rate, double decay) = _runs[r];
            if (index < offset || index >= offset + length) continue;
            var result = _optimizer switch
            {
                SgdOptimizer sgd => OptimizerDriver.At(Sgd(sgd, rate, decay), parameters, gradients, _state1, default, default, index),
                _ => OptimizerDriver.At(Adam(rate, decay), parameters, gradients, _state1, _state2, _state3, index),
            };
            TrainingStateKind kind = _optimizer.StateKind;
            if (!float.IsFinite(result.P)) return (result.P, null);
            if (!float.IsFinite(result.S1)) return (result.S1, TrainingState.BufferName(kind, 0));
            if (!float.IsFinite(result.S2)) return (result.S2, TrainingState.BufferName(kind, 1));
            return (result.S3, TrainingState.BufferName(kind, 2));
        }
        return (parameters[index], null);
    }

    /// <summary>Applies the planned step to <paramref name="parameters"/> and the state, then counts it.</summary>
    public void Apply(Span<float> parameters, ReadOnlySpan<float> gradients, InstructionSet path)
    {
        for (int r = 0; r < _runCount; r++)
        {
            (int offset, int length, double rate, double decay) = _runs[r];
            Span<float> p = parameters.Slice(offset, length);
            ReadOnlySpan<float> g = gradients.Slice(offset, length);
            switch (_optimizer)
            {
                case SgdOptimizer { Momentum: 0 } when decay == 0:
                    // Plain gradient descent: the engine's axpy kernel, fma(g, −lr, p), the bits of the fused pass below.
                    VectorArithmetic.AddScaled(g, (float)-rate, p, path);
                    break;
                case SgdOptimizer sgd:
                    OptimizerDriver.Apply(Sgd(sgd, rate, decay), p, g, State(_state1, offset, length, 1), default, default, path);
                    break;
                default:
                    OptimizerDriver.Apply(Adam(rate, decay), p, g, State(_state1, offset, length, 1), State(_state2, offset, length, 2),
                        State(_state3, offset, length, 3), path);
                    break;
            }
        }

        CountStep();
    }

    /// <summary>
    /// Whether the planned step is plain gradient descent on every tensor (SGD without momentum or weight decay:
    /// p ← fma(g, −rate, p), the bits of <see cref="Apply"/>); then <paramref name="negatedRates"/> (indexed by
    /// <see cref="RnnParameter"/>) receives each tensor's −rate, and a caller that applies the step itself calls
    /// <see cref="CountStep"/> after it.
    /// </summary>
    public bool IsPlainDescent(Span<float> negatedRates)
    {
        if (_optimizer is not SgdOptimizer { Momentum: 0 }) return false;
        for (int r = 0; r < _runCount; r++)
        {
            if (_runs[r].WeightDecay != 0) return false;
        }

        for (int t = 0; t < TensorCount; t++) negatedRates[t] = (float)-_rates[t];
        return true;
    }

    /// <summary>Counts the planned step as taken (as <see cref="Apply"/> does after applying it).</summary>
    public void CountStep()
    {
        _kind = _optimizer.StateKind;
        _steps++;
    }

    /// <summary>A copy of the state (allocates).</summary>
    public TrainingState Copy()
    {
        if (_kind is not TrainingStateKind kind) return TrainingState.Initial(_shape);
        int count = TrainingState.BufferCount(kind), p = _shape.ParameterCount;
        return TrainingState.FromOwned(_shape, kind, _steps,
            count > 0 ? _state1.AsSpan(0, p).ToArray() : [], count > 1 ? _state2.AsSpan(0, p).ToArray() : [], count > 2 ? _state3.AsSpan(0, p).ToArray() : []);
    }

    /// <summary>Replaces the state with <paramref name="state"/> (checked by the caller: same shape).</summary>
    public void Restore(TrainingState state)
    {
        if (state.Kind is not TrainingStateKind kind)
        {
            Reset();
            return;
        }

        int count = TrainingState.BufferCount(kind);
        EnsureBuffers(count);
        int p = _shape.ParameterCount;
        if (count > 0) state.Buffer(0).CopyTo(_state1.AsSpan(0, p));
        if (count > 1) state.Buffer(1).CopyTo(_state2.AsSpan(0, p));
        if (count > 2) state.Buffer(2).CopyTo(_state3.AsSpan(0, p));
        _kind = kind;
        _steps = state.StepCount;
        _rateStep = -1;
    }

    /// <summary>Back to the state before any step (the buffers stay rented, zeroed at the next first step).</summary>
    public void Reset()
    {
        _kind = null;
        _steps = 0;
        _rateStep = -1;
    }

    /// <summary>Returns the buffers to the pool.</summary>
    public void Dispose()
    {
        Return(ref _state1);
        Return(ref _state2);
        Return(ref _state3);
        Reset();
    }

    private SgdOperator Sgd(SgdOptimizer sgd, double rate, double decay) =>
        new(rate, sgd.Momentum, sgd.Dampening, decay, sgd.Nesterov, firstStep: _steps == 0);

    private AdamOperator Adam(double rate, double decay) => _optimizer switch
    {
        AdamOptimizer adam => new(rate, adam.Beta1, adam.Beta2, adam.Epsilon, decay, decoupled: false, adam.AmsGrad, _steps + 1),
        AdamWOptimizer adamW => new(rate, adamW.Beta1, adamW.Beta2, adamW.Epsilon, decay, decoupled: true, adamW.AmsGrad, _steps + 1),
        _ => throw new InvalidOperationException($"{_optimizer.GetType().Name} is not an Adam optimizer."),
    };

    /// <summary>The slice of a state buffer, or empty when the optimizer has fewer than <paramref name="number"/> buffers.</summary>
    private Span<float> State(float[] buffer, int offset, int length, int number) =>
        TrainingState.BufferCount(_optimizer.StateKind) >= number ? buffer.AsSpan(offset, length) : default;

    /// <summary>Rents the first <paramref name="count"/> buffers, and zeroes them before a first step (torch's zero moments).</summary>
    private void EnsureBuffers(int count)
    {
        int p = _shape.ParameterCount;
        if (count > 0) Rent(ref _state1, p);
        if (count > 1) Rent(ref _state2, p);
        if (count > 2) Rent(ref _state3, p);
        if (_steps == 0 && _kind is null)
        {
            _state1.AsSpan().Clear();
            _state2.AsSpan().Clear();
            _state3.AsSpan().Clear();
        }
    }

    /// <summary>Each tensor's rate for step <see cref="StepCount"/>: reused, advanced by one, or (after a change or a restore) replayed.</summary>
    private void UpdateRates(TrainingOptions options)
    {
        LearningRateSchedule? schedule = options.Schedule;
        bool same = Equals(schedule, _rateSchedule);
        for (int t = 0; t < TensorCount; t++) same &= _rateInitial[t].Equals(options.InitialLearningRateOf((RnnParameter)t));
        if (same && _rateStep == _steps) return;

        for (int t = 0; t < TensorCount; t++)
        {
            float initial = options.InitialLearningRateOf((RnnParameter)t);
            _rateInitial[t] = initial;
            if (schedule is null) _rates[t] = initial;
            else if (same && _rateStep >= 0 && _rateStep == _steps - 1) _rates[t] = schedule.Next(_rates[t], initial, _steps);
            else _rates[t] = schedule.LearningRateAt(initial, _steps);
        }

        _rateSchedule = schedule;
        _rateStep = _steps;
    }

    private static void Rent(ref float[] buffer, int length)
    {
        if (buffer.Length >= length) return;
        buffer = ArrayPool<float>.Shared.Rent(length);
    }

    private static void Return(ref float[] buffer)
    {
        if (buffer.Length > 0) ArrayPool<float>.Shared.Return(buffer);
        buffer = [];
    }
}
