using Rnn.Fast.Reference;

namespace Rnn.Fast.Tests.Engine;

/// <summary>The public reference-vs-fast check reports small errors on a healthy model and finds a planted one where it is.</summary>
public sealed class EngineVerificationTests
{
    private static readonly RnnShape Shape = new(5, 33, 3);
    private const int T = 6, N = 3;

    [Theory]
    [InlineData(LossKind.LastOutputMeanSquaredError)]
    [InlineData(LossKind.AllOutputsMeanSquaredError)]
    public void AHealthyModelAgreesWithTheReferenceOnEveryTensor(LossKind loss)
    {
        var model = new RnnModel(Shape, 11UL);
        float[] before = model.Parameters.ToArray();
        int targetCount = loss == LossKind.LastOutputMeanSquaredError ? N * 3 : T * N * 3;

        VerificationReport report = EngineVerification.Compare(model, Values(T * N * 5, 1), T, N, Values(targetCount, 2), loss, Values(N * 33, 3));

        Assert.Equal(["outputs", "loss", "dWxh", "dWhh", "dbh", "dWho", "dbo", "dH_0", "dX"], report.Tensors.Select(t => t.Name));
        foreach (TensorComparison tensor in report.Tensors)
        {
            // Float rounding over chains of at most a few hundred terms: far below 1e-4 of each tensor's scale, and not
            // exactly 0 (the comparison really ran in two precisions).
            Assert.InRange(tensor.RelativeError, 0, 1e-4);
            Assert.True(tensor.ReferenceMagnitude > 0, tensor.ToString());
        }

        Assert.Contains(report.Tensors, t => t.MaxAbsoluteError > 0);
        Assert.Equal(before, model.Parameters.ToArray());
        string text = report.ToString();
        Assert.Contains("dWhh", text);
        Assert.Contains("worst:", text);
    }

    [Theory]
    [InlineData(LossKind.LastOutputMeanSquaredError)]
    [InlineData(LossKind.AllOutputsMeanSquaredError)]
    public void ItRunsOneForwardAndOneBackwardPassAndReportsWhatSeparateCallsGive(LossKind loss)
    {
        var model = new RnnModel(Shape, 12UL);
        int targetCount = loss == LossKind.LastOutputMeanSquaredError ? N * 3 : T * N * 3;
        float[] inputs = Values(T * N * 5, 1), targets = Values(targetCount, 2), initialHidden = Values(N * 33, 3);
        using var workspace = new RnnWorkspace(model);

        VerificationReport report = EngineVerification.CompareInWorkspace(workspace, inputs, T, N, targets, loss, initialHidden);

        Assert.Equal(1, workspace.ForwardPassCount);
        Assert.Equal(1, workspace.BackwardPassCount);

        // The same tensors from the public calls, one pass each, compared with the reference as the report does.
        using var separate = new RnnWorkspace(model);
        var gradients = new float[Shape.ParameterCount];
        float fastLoss = separate.ComputeGradients(inputs, T, N, targets, loss, gradients, initialHidden);
        var outputs = new float[T * N * 3];
        separate.Forward(inputs, T, N, initialHidden, OutputSteps.EveryStep, outputs);
        ReferenceForwardPass forward = ReferenceRnn.Forward(Shape, ReferenceRnn.Widen(model.Parameters),
            ReferenceRnn.Widen(inputs), T, N, ReferenceRnn.Widen(initialHidden));
        double[] wideTargets = ReferenceRnn.Widen(targets);
        ReferenceGradients expected = ReferenceRnn.Backward(forward, wideTargets, loss);
        Assert.Equal(EngineVerification.CompareTensor("outputs", [T, N, 3], outputs, forward.Outputs).MaxAbsoluteError,
            report.Tensors[0].MaxAbsoluteError);
        Assert.Equal(Math.Abs(fastLoss - ReferenceRnn.Loss(forward, wideTargets, loss)), report.Tensors[1].MaxAbsoluteError);
        Assert.Equal(EngineVerification.CompareTensor("dWhh", [33, 33], Shape.Whh<float>(gradients), Shape.Whh<double>(expected.Parameters)).MaxAbsoluteError,
            report.Tensors[3].MaxAbsoluteError);
    }

    [Fact]
    public void APlantedErrorIsReportedAtItsIndexAndPosition()
    {
        double[] reference = Enumerable.Range(0, 2 * 3 * 4).Select(i => Math.Sin(i)).ToArray();
        float[] fast = reference.Select(v => (float)v).ToArray();
        fast[17] += 0.5f; // [t = 1, b = 1, k = 1] of a 2×3×4 tensor

        TensorComparison comparison = EngineVerification.CompareTensor("outputs", [2, 3, 4], fast, reference);

        Assert.Equal(17, comparison.WorstIndex);
        Assert.Equal("[1, 1, 1]", comparison.WorstPosition);
        Assert.Equal(0.5, comparison.MaxAbsoluteError, 1e-6);
        Assert.Equal(reference[17], comparison.ReferenceValue);
        Assert.Equal(0.5 / reference.Max(Math.Abs), comparison.RelativeError, 1e-6);
    }

    [Fact]
    public void ANaNIsTheWorstPossibleDisagreement()
    {
        float[] fast = [1, float.NaN, 3];
        TensorComparison comparison = EngineVerification.CompareTensor("dbh", [3], fast, [1.0, 2.0, 3.0]);

        Assert.Equal(1, comparison.WorstIndex);
        Assert.Equal(double.PositiveInfinity, comparison.MaxAbsoluteError);
    }

    [Fact]
    public void BadArgumentsAreRejectedBeforeAnythingRunsAndLeaveTheModelAlone()
    {
        var model = new RnnModel(Shape, 11UL);
        float[] before = model.Parameters.ToArray();
        float[] inputs = Values(T * N * 5, 1), targets = Values(N * Shape.OutputSize, 2);
        const LossKind Last = LossKind.LastOutputMeanSquaredError;
        var error = Assert.Throws<ArgumentException>(() => EngineVerification.Compare(model, inputs, T, N, Values(7, 2), Last));
        Assert.Equal("targets", error.ParamName);
        Assert.Contains($"{N * Shape.OutputSize}", error.Message);
        Assert.Contains("holds 7", error.Message);
        error = Assert.Throws<ArgumentException>(() => EngineVerification.Compare(model, inputs.AsSpan(1).ToArray(), T, N, targets, Last));
        Assert.Equal("inputs", error.ParamName);
        Assert.Contains($"holds {inputs.Length - 1}", error.Message);
        error = Assert.Throws<ArgumentException>(() => EngineVerification.Compare(model, inputs, T, N, targets, Last, Values(3, 4)));
        Assert.Equal("initialHidden", error.ParamName);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => EngineVerification.Compare(model, inputs, 0, N, targets, Last));
        Assert.Equal("sequenceLength", range.ParamName);
        error = Assert.Throws<ArgumentException>(() => EngineVerification.Compare(model, inputs, T, N, targets, (LossKind)9));
        Assert.Equal("loss", error.ParamName);
        var missing = Assert.Throws<ArgumentNullException>(() => EngineVerification.Compare(null!, [], 1, 1, [], Last));
        Assert.Equal("model", missing.ParamName);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }
}
