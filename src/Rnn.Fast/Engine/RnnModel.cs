using Rnn.Fast.Kernels;

namespace Rnn.Fast;

/// <summary>
/// An Elman network for the fast engine: its <see cref="Shape"/> and its float parameters in ONE contiguous buffer
/// with <see cref="RnnShape"/>'s layout <c>[ Wxh | Whh | bh | Who | bo ]</c>, plus the weight packs the kernels read.
/// Run it with an <see cref="RnnWorkspace"/> (sequences, backward, training) or an <see cref="RnnStreamingSession"/>
/// (one step at a time).
/// </summary>
/// <remarks>
/// <para>Weight packs: the GEMM kernels read each weight matrix from a <see cref="PackedMatrix"/> (Wxh, Whh, Who for
/// the forward pass; Whhᵀ, Wxhᵀ, Whoᵀ for the backward pass). The model builds them once and rebuilds them, without
/// allocating, whenever its parameters change — which they do only through <see cref="SetParameters"/> and
/// <see cref="ApplyGradientDescent"/> — so no call ever packs a weight.</para>
/// <para>Thread safety: any number of threads may run workspaces and sessions on one model at the same time, as long
/// as no thread changes its parameters meanwhile. <see cref="SetParameters"/> and <see cref="ApplyGradientDescent"/>
/// (and <see cref="RnnWorkspace.TrainStep(ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, LossKind, float, ReadOnlySpan{float})"/>,
/// which calls the latter) need the model to themselves.</para>
/// </remarks>
public sealed class RnnModel
{
    private readonly float[] _parameters;

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
        InputWeightsTransposed = new PackedMatrix(h, d);
        RecurrentWeightsTransposed = new PackedMatrix(h, h);
        OutputWeightsTransposed = new PackedMatrix(o, h);
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

    /// <summary>Wxhᵀ packed, h×d: dX = dA·Wxhᵀ.</summary>
    internal PackedMatrix InputWeightsTransposed { get; }

    /// <summary>Whhᵀ packed, h×h: dH_{t−1} += dA_t·Whhᵀ.</summary>
    internal PackedMatrix RecurrentWeightsTransposed { get; }

    /// <summary>Whoᵀ packed, o×h: dH = dO·Whoᵀ.</summary>
    internal PackedMatrix OutputWeightsTransposed { get; }

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

    /// <summary>Packing copies values exactly, so products read from the packs equal products read from the parameters.</summary>
    private void Repack()
    {
        RnnShape s = Shape;
        int d = s.InputSize, h = s.HiddenSize, o = s.OutputSize;
        ReadOnlySpan<float> all = _parameters;
        var wxh = new ReadOnlyMatrixSpan(s.Wxh(all), d, h);
        var whh = new ReadOnlyMatrixSpan(s.Whh(all), h, h);
        var who = new ReadOnlyMatrixSpan(s.Who(all), h, o);
        InputWeights.Pack(wxh);
        RecurrentWeights.Pack(whh);
        OutputWeights.Pack(who);
        InputWeightsTransposed.PackTransposed(wxh);
        RecurrentWeightsTransposed.PackTransposed(whh);
        OutputWeightsTransposed.PackTransposed(who);
        Version++;
    }
}
