using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rnn.Fast.Torch;

/// <summary>
/// An Rnn.Fast network expressed in libtorch through TorchSharp: <c>nn.RNN(d, h, nonlinearity: tanh,
/// batch_first: false)</c> followed by <c>nn.Linear(h, o)</c>, with the parameters copied from
/// <see cref="RnnShape"/>'s layout. Inputs are time-major <c>[T][n][d]</c>, as ours are.
/// </summary>
/// <remarks>
/// <para>The mapping (torch stores <c>y = x·Wᵀ + b</c> weights as out×in, we store in×out):
/// <c>weight_ih_l0</c> (h×d) = Wxhᵀ, <c>weight_hh_l0</c> (h×h) = Whhᵀ, <c>bias_ih_l0</c> = bh,
/// <c>bias_hh_l0</c> = 0, Linear <c>weight</c> (o×h) = Whoᵀ, <c>bias</c> = bo.</para>
/// <para>torch has two hidden biases where we have one. With <c>bias_hh</c> = 0 the forward pass is ours, and the
/// gradients of both biases equal ∂L/∂bh (each enters A_t with coefficient 1). A plain SGD step therefore moves torch's
/// effective bias by 2·lr·∂L/∂bh: comparing a training step needs 2·lr on bh for a one-bias model.</para>
/// <para>Not thread-safe; libtorch's thread pool (torch.set_num_threads) is process-wide.</para>
/// </remarks>
public sealed class TorchElmanNetwork : IDisposable
{
    /// <summary>Builds the torch modules in <paramref name="type"/> from parameters in our layout.</summary>
    /// <param name="shape">The network's sizes.</param>
    /// <param name="parameters">The parameters, <see cref="RnnShape.ParameterCount"/> values in our layout.</param>
    /// <param name="type">The element type of the torch modules: Float64 for parity, Float32 to match our engine.</param>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> has the wrong length.</exception>
    public TorchElmanNetwork(RnnShape shape, ReadOnlySpan<double> parameters, ScalarType type)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Shape = shape;
        Type = type;
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        Recurrence = nn.RNN(d, h, numLayers: 1, nonLinearity: nn.NonLinearities.Tanh, bias: true, batchFirst: false, dtype: type);
        Output = nn.Linear(h, o, hasBias: true, dtype: type);

        using DisposeScope scope = NewDisposeScope();
        using (no_grad())
        {
            WeightInputHidden.copy_(Matrix(shape.Wxh(parameters), d, h).t());
            WeightHiddenHidden.copy_(Matrix(shape.Whh(parameters), h, h).t());
            BiasInputHidden.copy_(Vector(shape.Bh(parameters)));
            BiasHiddenHidden.zero_();
            Output.weight!.copy_(Matrix(shape.Who(parameters), h, o).t());
            Output.bias!.copy_(Vector(shape.Bo(parameters)));
        }
    }

    /// <summary>Builds the torch modules in float32 from float parameters (e.g. <see cref="ParameterInitialization"/>'s).</summary>
    /// <param name="shape">The network's sizes.</param>
    /// <param name="parameters">The parameters, <see cref="RnnShape.ParameterCount"/> values in our layout.</param>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> has the wrong length.</exception>
    public TorchElmanNetwork(RnnShape shape, ReadOnlySpan<float> parameters)
        : this(shape, Rnn.Fast.Reference.ReferenceRnn.Widen(parameters), ScalarType.Float32)
    {
    }

    /// <summary>The network's sizes.</summary>
    public RnnShape Shape { get; }

    /// <summary>The element type of every parameter.</summary>
    public ScalarType Type { get; }

    /// <summary>The recurrence: nn.RNN(d, h, tanh), time-major.</summary>
    public RNN Recurrence { get; }

    /// <summary>The output layer: nn.Linear(h, o).</summary>
    public Linear Output { get; }

    /// <summary>weight_ih_l0, h×d: Wxhᵀ.</summary>
    public Parameter WeightInputHidden => Recurrence.get_weight_ih(0) ?? throw MissingParameter("weight_ih_l0");

    /// <summary>weight_hh_l0, h×h: Whhᵀ.</summary>
    public Parameter WeightHiddenHidden => Recurrence.get_weight_hh(0) ?? throw MissingParameter("weight_hh_l0");

    /// <summary>bias_ih_l0, h: bh.</summary>
    public Parameter BiasInputHidden => Recurrence.get_bias_ih(0) ?? throw MissingParameter("bias_ih_l0");

    /// <summary>bias_hh_l0, h: zero (torch's second hidden bias, which our model does not have).</summary>
    public Parameter BiasHiddenHidden => Recurrence.get_bias_hh(0) ?? throw MissingParameter("bias_hh_l0");

    /// <summary>Every parameter of both modules (what an optimizer updates), bias_hh included.</summary>
    public IEnumerable<Parameter> Parameters => Recurrence.parameters().Concat(Output.parameters());

    /// <summary>A time-major sequence batch <c>[T][n][width]</c> in this network's element type (a copy).</summary>
    /// <param name="values">T·n·width values, time-major, row-major.</param>
    /// <param name="sequenceLength">T.</param>
    /// <param name="batchSize">n.</param>
    /// <param name="width">The width of one vector.</param>
    /// <exception cref="ArgumentException">The number of values is not T·n·width.</exception>
    public Tensor Sequence(ReadOnlySpan<double> values, int sequenceLength, int batchSize, int width)
    {
        if (values.Length != (long)sequenceLength * batchSize * width)
        {
            throw new ArgumentException($"A [{sequenceLength}][{batchSize}][{width}] sequence needs {(long)sequenceLength * batchSize * width} values, not {values.Length}.", nameof(values));
        }

        return tensor(values.ToArray(), [sequenceLength, batchSize, width], dtype: Type);
    }

    /// <summary>A time-major sequence batch <c>[T][n][width]</c> in this network's element type (a copy).</summary>
    /// <param name="values">T·n·width values, time-major, row-major.</param>
    /// <param name="sequenceLength">T.</param>
    /// <param name="batchSize">n.</param>
    /// <param name="width">The width of one vector.</param>
    /// <exception cref="ArgumentException">The number of values is not T·n·width.</exception>
    public Tensor Sequence(ReadOnlySpan<float> values, int sequenceLength, int batchSize, int width)
    {
        if (values.Length != (long)sequenceLength * batchSize * width)
        {
            throw new ArgumentException($"A [{sequenceLength}][{batchSize}][{width}] sequence needs {(long)sequenceLength * batchSize * width} values, not {values.Length}.", nameof(values));
        }

        return tensor(values.ToArray(), [sequenceLength, batchSize, width], dtype: Type);
    }

    /// <summary>The outputs of every step, <c>[T][n][o]</c>, and the last hidden state <c>[1][n][h]</c>.</summary>
    /// <param name="inputs">X, <c>[T][n][d]</c>.</param>
    /// <param name="initialHidden">H_0 as <c>[1][n][h]</c>, or null for zeros.</param>
    public (Tensor Outputs, Tensor LastHidden) Forward(Tensor inputs, Tensor? initialHidden)
    {
        (Tensor states, Tensor lastHidden) = Recurrence.call(inputs, initialHidden);
        return (Output.call(states), lastHidden);
    }

    /// <summary>The output of the last step only, <c>[n][o]</c>, and the last hidden state <c>[1][n][h]</c>: the
    /// output layer runs once, as the infer-sequence workload asks.</summary>
    /// <param name="inputs">X, <c>[T][n][d]</c>.</param>
    /// <param name="initialHidden">H_0 as <c>[1][n][h]</c>, or null for zeros.</param>
    public (Tensor LastOutput, Tensor LastHidden) ForwardLastOutput(Tensor inputs, Tensor? initialHidden)
    {
        (_, Tensor lastHidden) = Recurrence.call(inputs, initialHidden);
        return (Output.call(lastHidden[0]), lastHidden);
    }

    /// <summary>
    /// The gradients accumulated by the last backward pass, in our parameter layout (transposed back):
    /// ∂L/∂Wxh, ∂L/∂Whh, ∂L/∂bh (= bias_ih's gradient), ∂L/∂Who, ∂L/∂bo.
    /// </summary>
    /// <exception cref="InvalidOperationException">No backward pass has run.</exception>
    public double[] ParameterGradients()
    {
        var gradients = new double[Shape.ParameterCount];
        using DisposeScope scope = NewDisposeScope();
        CopyTransposed(GradientOf(WeightInputHidden), Shape.Wxh<double>(gradients));
        CopyTransposed(GradientOf(WeightHiddenHidden), Shape.Whh<double>(gradients));
        ToDoubles(GradientOf(BiasInputHidden)).CopyTo(Shape.Bh<double>(gradients));
        CopyTransposed(GradientOf(Output.weight!), Shape.Who<double>(gradients));
        ToDoubles(GradientOf(Output.bias!)).CopyTo(Shape.Bo<double>(gradients));
        return gradients;
    }

    /// <summary>The gradient of torch's second hidden bias, bias_hh_l0, which our model does not have.</summary>
    /// <exception cref="InvalidOperationException">No backward pass has run.</exception>
    public double[] HiddenHiddenBiasGradient()
    {
        using DisposeScope scope = NewDisposeScope();
        return ToDoubles(GradientOf(BiasHiddenHidden));
    }

    /// <summary>The values of any tensor as doubles, row-major (converted from its element type; exact for float).</summary>
    /// <param name="values">Any tensor.</param>
    public static double[] ToDoubles(Tensor values)
    {
        using DisposeScope scope = NewDisposeScope();
        return values.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Recurrence.Dispose();
        Output.Dispose();
    }

    private static InvalidOperationException MissingParameter(string name) =>
        new($"TorchSharp's nn.RNN has no parameter {name}.");

    private Tensor Matrix(ReadOnlySpan<double> values, int rows, int columns) =>
        tensor(values.ToArray(), [rows, columns], dtype: Type);

    private Tensor Vector(ReadOnlySpan<double> values) => tensor(values.ToArray(), dtype: Type);

    private static Tensor GradientOf(Parameter parameter) =>
        parameter.grad ?? throw new InvalidOperationException("No gradient: run a backward pass first.");

    /// <summary>Writes the transpose of an out×in torch gradient into an in×out row-major span.</summary>
    private static void CopyTransposed(Tensor gradient, Span<double> destination) =>
        ToDoubles(gradient.t()).CopyTo(destination);
}
