using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Rnn.Fast.Interop;
using Rnn.Fast.Torch;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Rnn.Fast.Parity.Tests.Interop;

/// <summary>
/// The safetensors interop against an implementation nobody here wrote: TorchSharp.PyBridge, which reads and writes
/// the files Python's <c>safetensors.torch</c> does. A TorchSharp nn.RNN + nn.Linear with libtorch's own random
/// weights, saved by PyBridge, loads into Rnn.Fast and gives TorchSharp's outputs at every step and, after import,
/// its gradients; a model Rnn.Fast saves loads into TorchSharp through PyBridge (<c>load_state_dict</c>, strict) with
/// every parameter bit for bit and gives our outputs.
/// </summary>
/// <remarks>
/// Tolerance: <see cref="ParityTolerance.Bound"/> at float32's roundoff (both sides compute in float32). Its
/// derivation covers sums of K = max(d + h + 1, h + o, T·n) terms in any order; the import adds one rounding, the
/// float32 sum of torch's two biases, a relative 2⁻²⁴ of the bias that the safety factor of 16 covers many times.
/// Case count: 40 random shapes per property (n 1..4, d 1..6, h 1..8, o 1..4, T 1..6, so T = 1, n = 1 and d ≠ o all
/// occur), each a few milliseconds of libtorch and file work: a few seconds in all.
/// </remarks>
public sealed class PyBridgeSafetensorsTests
{
    private const int Cases = 40;

    /// <summary>Random small problems: sizes as <see cref="TorchParityTests.SmallCases"/>.</summary>
    public static Arbitrary<ParityCase> SmallCases() => TorchParityTests.SmallCases();

    [Property(MaxTest = Cases, Arbitrary = [typeof(PyBridgeSafetensorsTests)])]
    public void AStateDictPyBridgeWroteLoadsAndGivesTorchSharpsOutputsAndGradients(ParityCase problem)
    {
        using DisposeScope scope = NewDisposeScope();
        int T = problem.SequenceLength, n = problem.BatchSize, d = problem.InputSize, h = problem.HiddenSize, o = problem.OutputSize;
        torch.manual_seed(problem.Seed);
        using var net = new TorchNet(d, h, o, ScalarType.Float32);
        var file = new MemoryStream();
        net.save_safetensors(file, leaveOpen: true);

        PyTorchImport import = PyTorchSafetensors.Load(new MemoryStream(file.ToArray()));
        Assert.Equal(new RnnShape(d, h, o), import.Shape);
        Assert.Equal(("rnn.", "fc."), (import.RnnPrefix, import.HeadPrefix));

        // Every parameter is torch's, transposed, with the biases summed in float32.
        float[] parameters = import.Model.Parameters.ToArray();
        RnnShape shape = import.Shape;
        AssertBits(Transposed(Floats(net.Recurrence.get_weight_ih(0)!), h, d), shape.Wxh<float>(parameters), "Wxh = weight_ih_l0ᵀ");
        AssertBits(Transposed(Floats(net.Recurrence.get_weight_hh(0)!), h, h), shape.Whh<float>(parameters), "Whh = weight_hh_l0ᵀ");
        float[] biasIh = Floats(net.Recurrence.get_bias_ih(0)!), biasHh = Floats(net.Recurrence.get_bias_hh(0)!);
        AssertBits([.. biasIh.Select((b, j) => b + biasHh[j])], shape.Bh<float>(parameters), "bh = bias_ih_l0 + bias_hh_l0");
        AssertBits(Transposed(Floats(net.Head.weight!), o, h), shape.Who<float>(parameters), "Who = fc.weightᵀ");
        AssertBits(Floats(net.Head.bias!), shape.Bo<float>(parameters), "bo = fc.bias");

        // Outputs at every step, then the gradients of the mean squared error over every output.
        float[] inputs = [.. problem.Inputs.Select(v => (float)v)];
        float[] targets = [.. problem.Targets(LossKind.AllOutputsMeanSquaredError).Select(v => (float)v)];
        Tensor x = tensor(inputs, [T, n, d]);
        Tensor torchOutputs = net.call(x);
        nn.functional.mse_loss(torchOutputs, tensor(targets, [T, n, o]), nn.Reduction.Mean).backward();

        using var workspace = new RnnWorkspace(import.Model);
        var outputs = new float[T * n * o];
        workspace.Forward(inputs, T, n, OutputSteps.EveryStep, outputs);
        AssertClose(problem, "O_1..O_T", outputs, Floats(torchOutputs));

        var gradients = new float[shape.ParameterCount];
        workspace.ComputeGradients(inputs, T, n, targets, LossKind.AllOutputsMeanSquaredError, gradients);
        AssertClose(problem, "dWxh", shape.Wxh<float>(gradients).ToArray(), Transposed(Floats(net.Recurrence.get_weight_ih(0)!.grad!), h, d));
        AssertClose(problem, "dWhh", shape.Whh<float>(gradients).ToArray(), Transposed(Floats(net.Recurrence.get_weight_hh(0)!.grad!), h, h));
        // Both of torch's bias gradients equal our dbh in exact arithmetic.
        AssertClose(problem, "dbh vs bias_ih_l0's", shape.Bh<float>(gradients).ToArray(), Floats(net.Recurrence.get_bias_ih(0)!.grad!));
        AssertClose(problem, "dbh vs bias_hh_l0's", shape.Bh<float>(gradients).ToArray(), Floats(net.Recurrence.get_bias_hh(0)!.grad!));
        AssertClose(problem, "dWho", shape.Who<float>(gradients).ToArray(), Transposed(Floats(net.Head.weight!.grad!), o, h));
        AssertClose(problem, "dbo", shape.Bo<float>(gradients).ToArray(), Floats(net.Head.bias!.grad!));
    }

    [Property(MaxTest = Cases, Arbitrary = [typeof(PyBridgeSafetensorsTests)])]
    public void AModelWeSaveLoadsIntoTorchSharpBitForBitAndGivesOurOutputs(ParityCase problem)
    {
        using DisposeScope scope = NewDisposeScope();
        int T = problem.SequenceLength, n = problem.BatchSize, d = problem.InputSize, h = problem.HiddenSize, o = problem.OutputSize;
        var model = new RnnModel(problem.Shape, ParameterInitialization.CreateUniform(problem.Shape, (ulong)problem.Seed));
        var file = new MemoryStream();
        PyTorchSafetensors.Save(model, file);

        using var net = new TorchNet(d, h, o, ScalarType.Float32);
        var loaded = new Dictionary<string, bool>();
        net.load_safetensors(new MemoryStream(file.ToArray()), strict: true, loadedParameters: loaded);
        Assert.Equal(["fc.bias", "fc.weight", "rnn.bias_hh_l0", "rnn.bias_ih_l0", "rnn.weight_hh_l0", "rnn.weight_ih_l0"], loaded.Keys.Order(StringComparer.Ordinal));

        RnnShape shape = problem.Shape;
        ReadOnlySpan<float> p = model.Parameters;
        AssertBits(Transposed(shape.Wxh(p).ToArray(), d, h), Floats(net.Recurrence.get_weight_ih(0)!), "weight_ih_l0 = Wxhᵀ");
        AssertBits(Transposed(shape.Whh(p).ToArray(), h, h), Floats(net.Recurrence.get_weight_hh(0)!), "weight_hh_l0 = Whhᵀ");
        AssertBits(shape.Bh(p), Floats(net.Recurrence.get_bias_ih(0)!), "bias_ih_l0 = bh");
        AssertBits(new float[h], Floats(net.Recurrence.get_bias_hh(0)!), "bias_hh_l0 = 0");
        AssertBits(Transposed(shape.Who(p).ToArray(), h, o), Floats(net.Head.weight!), "fc.weight = Whoᵀ");
        AssertBits(shape.Bo(p), Floats(net.Head.bias!), "fc.bias = bo");

        float[] inputs = [.. problem.Inputs.Select(v => (float)v)];
        using var workspace = new RnnWorkspace(model);
        var outputs = new float[T * n * o];
        workspace.Forward(inputs, T, n, OutputSteps.EveryStep, outputs);
        Tensor torchOutputs;
        using (no_grad()) torchOutputs = net.call(tensor(inputs, [T, n, d]));
        AssertClose(problem, "O_1..O_T of our model in TorchSharp", outputs, Floats(torchOutputs));
    }

    /// <summary>F64, F16 and BF16 state_dicts PyBridge wrote convert as libtorch's own <c>.to(float32)</c> converts them, bit for bit.</summary>
    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void OtherDtypesPyBridgeWroteConvertAsLibtorchConvertsThem(ScalarType type)
    {
        using DisposeScope scope = NewDisposeScope();
        torch.manual_seed(11);
        using var net = new TorchNet(3, 5, 2, ScalarType.Float32);
        net.to(type);
        var file = new MemoryStream();
        net.save_safetensors(file, leaveOpen: true);
        PyTorchImport import = PyTorchSafetensors.Load(new MemoryStream(file.ToArray()));
        string expectedType = type switch { ScalarType.Float64 => "F64", ScalarType.Float16 => "F16", _ => "BF16" };
        Assert.All(import.Tensors, t => Assert.Equal(expectedType, t.Tensor.DataType));

        float[] parameters = import.Model.Parameters.ToArray();
        RnnShape shape = import.Shape;
        AssertBits(Transposed(Floats(net.Recurrence.get_weight_ih(0)!), 5, 3), shape.Wxh<float>(parameters), $"{type} weight_ih_l0");
        AssertBits(Transposed(Floats(net.Recurrence.get_weight_hh(0)!), 5, 5), shape.Whh<float>(parameters), $"{type} weight_hh_l0");
        float[] biasIh = Floats(net.Recurrence.get_bias_ih(0)!), biasHh = Floats(net.Recurrence.get_bias_hh(0)!);
        AssertBits([.. biasIh.Select((b, j) => b + biasHh[j])], shape.Bh<float>(parameters), $"{type} biases, converted then summed");
        AssertBits(Transposed(Floats(net.Head.weight!), 2, 5), shape.Who<float>(parameters), $"{type} fc.weight");
    }

    /// <summary>A tensor's values converted by libtorch to float32 (exact for float32 itself), row-major.</summary>
    private static float[] Floats(Tensor values)
    {
        using DisposeScope scope = NewDisposeScope();
        return values.detach().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
    }

    /// <summary>The transpose of a rows×columns row-major matrix.</summary>
    private static float[] Transposed(float[] source, int rows, int columns)
    {
        var result = new float[source.Length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < columns; c++) result[c * rows + r] = source[r * columns + c];
        return result;
    }

    private static void AssertBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} bit for bit.");
            }
        }
    }

    private static void AssertClose(ParityCase problem, string what, float[] ours, float[] torch)
    {
        Assert.True(ours.Length == torch.Length, $"{what}: ours has {ours.Length} values, torch {torch.Length}; {problem}.");
        double scale = torch.Max(v => Math.Abs((double)v));
        double bound = ParityTolerance.Bound(problem, ParityTolerance.SingleRoundoff, scale);
        for (int i = 0; i < ours.Length; i++)
        {
            double error = Math.Abs((double)ours[i] - torch[i]);
            if (!(error <= bound))
            {
                Assert.Fail($"{what}: at [{i}] ours {ours[i]:R}, torch {torch[i]:R}, error {error:E2} > tolerance {bound:E2}; {problem}.");
            }
        }
    }
}
