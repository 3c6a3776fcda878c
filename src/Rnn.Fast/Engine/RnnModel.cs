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
/// <para>Thread safety: any number of threads may run workspaces and sessions on one model at the same time, as long
/// as no thread changes its parameters meanwhile. <see cref="SetParameters"/> and <see cref="ApplyGradientDescent"/>
/// (and <see cref="RnnWorkspace.TrainStep(ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, LossKind, float, ReadOnlySpan{float})"/>,
/// which calls the latter) need the model to themselves.</para>
/// </remarks>
public sealed class RnnModel
{
    private const int StaleInput = 1, StaleRecurrent = 2, StaleOutput = 4, StaleAll = 7;

    private readonly float[] _parameters;
    private readonly PackedMatrix _inputWeightsTransposed;
    private readonly PackedMatrix _recurrentWeightsTransposed;
    private readonly PackedMatrix _outputWeightsTransposed;
    private readonly object _transposeLock = new();

    // Which transposed packs are older than the parameters (Stale* bits). Volatile: a reader that sees a bit cleared
    // also sees the pack written before it was cleared.
    private volatile int _staleTransposes;

    /// <summary>Creates a model with the parameters that <see cref="ParameterInitialization"/> draws from <paramref name="seed"/>.</summary>
    /// <param name="shape">The network's sizes d, h, o.</param>
    /// <param name="seed">Any 64-bit value; equal seeds give equal parameters.</param>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    public RnnModel(RnnShape shape, ulong seed)
        : this(shape, ParameterInitialization.CreateUniform(shape ?? throw new ArgumentNullException(nameof(shape)), seed), KernelDispatch.Active)
    {
    }

    /// <summary>Creates a model with a copy of the given parameters.</summary>
    /// <param name="shape">The network's sizes d, h, o.</param>
    /// <param name="parameters">Wxh, Whh, bh, Who, bo in <see cref="RnnShape"/>'s layout: <see cref="RnnShape.ParameterCount"/> values.</param>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> has the wrong length.</exception>
    public RnnModel(RnnShape shape, ReadOnlySpan<float> parameters)
        : this(shape, parameters, KernelDispatch.Active)
    {
    }

    /// <summary>Creates a model whose workspaces and sessions run the kernels on <paramref name="instructionSet"/> (tests force every path).</summary>
    internal RnnModel(RnnShape shape, ReadOnlySpan<float> parameters, InstructionSet instructionSet)
    {
        ArgumentNullException.ThrowIfNull(shape);
        EngineArguments.RequireParameterLength(parameters, shape, nameof(parameters));
        KernelDispatch.ThrowIfUnsupported(instructionSet);
        Shape = shape;
        InstructionSet = instructionSet;
        _parameters = parameters.ToArray();
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        InputWeights = new PackedMatrix(d, h);
        RecurrentWeights = new PackedMatrix(h, h);
        OutputWeights = new PackedMatrix(h, o);
        _inputWeightsTransposed = new PackedMatrix(h, d);
        _recurrentWeightsTransposed = new PackedMatrix(h, h);
        _outputWeightsTransposed = new PackedMatrix(o, h);
        Repack();
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

    /// <summary>Counts parameter changes, so a workspace can refuse a backward pass over a forward pass made with other weights.</summary>
    internal int Version { get; private set; }

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
    internal PackedMatrix InputWeightsTransposed => Fresh(StaleInput, _inputWeightsTransposed);

    /// <summary>Whhᵀ packed, h×h: dH_{t−1} += dA_t·Whhᵀ. Rebuilt here, at first use after a change.</summary>
    internal PackedMatrix RecurrentWeightsTransposed => Fresh(StaleRecurrent, _recurrentWeightsTransposed);

    /// <summary>Whoᵀ packed, o×h: dH = dO·Whoᵀ. Rebuilt here, at first use after a change.</summary>
    internal PackedMatrix OutputWeightsTransposed => Fresh(StaleOutput, _outputWeightsTransposed);

    /// <summary>Copies the parameters into <paramref name="destination"/>.</summary>
    /// <param name="destination"><see cref="RnnShape.ParameterCount"/> values, in <see cref="RnnShape"/>'s layout.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length; it is left unchanged.</exception>
    public void CopyParametersTo(Span<float> destination)
    {
        EngineArguments.RequireParameterLength(destination, Shape, nameof(destination));
        _parameters.CopyTo(destination);
    }

    /// <summary>Replaces every parameter and rebuilds the weight packs. Allocates nothing.</summary>
    /// <param name="parameters"><see cref="RnnShape.ParameterCount"/> values, in <see cref="RnnShape"/>'s layout.</param>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> has the wrong length; the model is left unchanged.</exception>
    public void SetParameters(ReadOnlySpan<float> parameters)
    {
        EngineArguments.RequireParameterLength(parameters, Shape, nameof(parameters));
        parameters.CopyTo(_parameters);
        Repack();
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
    public void ApplyGradientDescent(ReadOnlySpan<float> gradients, float learningRate)
    {
        EngineArguments.RequireParameterLength(gradients, Shape, nameof(gradients));
        EngineArguments.RequireLearningRate(learningRate);
        VectorArithmetic.AddScaled(gradients, -learningRate, _parameters, InstructionSet);
        Repack();
    }

    /// <summary>
    /// Packs Wxh, Whh and Who for the forward pass and marks the transposed packs stale. Packing copies values
    /// exactly, so products read from the packs equal products read from the parameters.
    /// </summary>
    private void Repack()
    {
        RnnShape s = Shape;
        ReadOnlySpan<float> all = _parameters;
        InputWeights.Pack(new ReadOnlyMatrixSpan(s.Wxh(all), s.InputSize, s.HiddenSize));
        RecurrentWeights.Pack(new ReadOnlyMatrixSpan(s.Whh(all), s.HiddenSize, s.HiddenSize));
        OutputWeights.Pack(new ReadOnlyMatrixSpan(s.Who(all), s.HiddenSize, s.OutputSize));
        _staleTransposes = StaleAll;
        Version++;
    }

    /// <summary>
    /// <paramref name="pack"/>, rebuilt first if the parameters changed since it was packed. Only backward passes read
    /// the transposed packs, and rebuilding all three after each update would dominate a small model's training step,
    /// though a step with T = 1 and no dX reads only Whoᵀ.
    /// Backward passes may run on several threads at once, so the rebuild takes a lock and checks again inside it.
    /// </summary>
    private PackedMatrix Fresh(int which, PackedMatrix pack)
    {
        if ((_staleTransposes & which) == 0) return pack;
        lock (_transposeLock)
        {
            if ((_staleTransposes & which) != 0)
            {
                RnnShape s = Shape;
                ReadOnlySpan<float> all = _parameters;
                ReadOnlyMatrixSpan source = which switch
                {
                    StaleInput => new ReadOnlyMatrixSpan(s.Wxh(all), s.InputSize, s.HiddenSize),
                    StaleRecurrent => new ReadOnlyMatrixSpan(s.Whh(all), s.HiddenSize, s.HiddenSize),
                    _ => new ReadOnlyMatrixSpan(s.Who(all), s.HiddenSize, s.OutputSize),
                };
                pack.PackTransposed(source);
                _staleTransposes &= ~which;
            }
        }

        return pack;
    }
}
