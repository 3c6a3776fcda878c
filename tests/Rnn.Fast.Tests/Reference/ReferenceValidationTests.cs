using Rnn.Fast.Reference;

namespace Rnn.Fast.Tests.Reference;

/// <summary>
/// Every length is checked before anything is computed or written: a wrong one throws an ArgumentException that
/// names the argument and states the expected and actual lengths, and leaves the caller's buffers unchanged.
/// </summary>
public sealed class ReferenceValidationTests
{
    // d = 2, h = 3, o = 2: 6 + 9 + 3 + 6 + 2 = 26 parameters. T = 4, n = 2: 16 inputs, 6 hidden values.
    private static readonly RnnShape Shape = new(2, 3, 2);
    private const int T = 4;
    private const int N = 2;

    private static double[] Filled(int count, double start) => [.. Enumerable.Range(0, count).Select(i => start + 0.01 * i)];

    private static ReferenceForwardPass ValidForward() =>
        ReferenceRnn.Forward(Shape, Filled(26, -0.1), Filled(16, 0.2), T, N);

    [Theory]
    [InlineData(25)]
    [InlineData(27)]
    [InlineData(0)]
    public void ForwardRejectsAParameterBufferOfTheWrongLength(int length)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            ReferenceRnn.Forward(Shape, new double[length], new double[16], T, N));
        AssertNames(error, "parameters", 26, length);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(8)] // T·n instead of T·n·d
    public void ForwardRejectsInputsOfTheWrongLength(int length)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            ReferenceRnn.Forward(Shape, new double[26], new double[length], T, N));
        AssertNames(error, "inputs", 16, length);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(3)] // h alone, forgetting n
    public void ForwardRejectsAnInitialHiddenStateOfTheWrongLength(int length)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            ReferenceRnn.Forward(Shape, new double[26], new double[16], T, N, new double[length]));
        AssertNames(error, "initialHidden", 6, length);
    }

    [Theory]
    [InlineData(0, 1, "sequenceLength")]
    [InlineData(-1, 1, "sequenceLength")]
    [InlineData(1, 0, "batchSize")]
    public void ForwardRejectsANonPositiveSequenceLengthOrBatchSize(int sequenceLength, int batchSize, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ReferenceRnn.Forward(Shape, new double[26], [], sequenceLength, batchSize));
        Assert.Equal(name, error.ParamName);
    }

    [Theory]
    [InlineData(LossKind.LastOutputMeanSquaredError, 4, 5)]
    [InlineData(LossKind.LastOutputMeanSquaredError, 4, 16)] // T·n·o given to the last-output loss
    [InlineData(LossKind.AllOutputsMeanSquaredError, 16, 4)] // n·o given to the all-outputs loss
    public void LossAndBackwardRejectTargetsOfTheWrongLength(LossKind loss, int expected, int length)
    {
        ReferenceForwardPass forward = ValidForward();
        AssertNames(Assert.Throws<ArgumentException>(() => ReferenceRnn.Loss(forward, new double[length], loss)),
            "targets", expected, length);
        AssertNames(Assert.Throws<ArgumentException>(() => ReferenceRnn.Backward(forward, new double[length], loss)),
            "targets", expected, length);
    }

    [Fact]
    public void LossRejectsAnUndefinedLossKind()
    {
        var error = Assert.Throws<ArgumentException>(() => ReferenceRnn.Loss(ValidForward(), new double[4], (LossKind)7));
        Assert.Equal("loss", error.ParamName);
    }

    [Theory]
    [InlineData(25, 26, "gradients", 25)]
    [InlineData(26, 27, "parameters", 27)]
    public void GradientDescentRejectsBuffersOfTheWrongLengthAndLeavesTheParametersUnchanged(
        int gradientLength, int parameterLength, string name, int actual)
    {
        double[] parameters = Filled(parameterLength, 1);
        double[] before = [.. parameters];

        var error = Assert.Throws<ArgumentException>(() =>
            ReferenceRnn.ApplyGradientDescent(Shape, Filled(gradientLength, 1), 0.1, parameters));

        AssertNames(error, name, 26, actual);
        Assert.Equal(before, parameters);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void GradientDescentRejectsANegativeOrNonFiniteLearningRateAndLeavesTheParametersUnchanged(double learningRate)
    {
        double[] parameters = Filled(26, 1);
        double[] before = [.. parameters];

        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ReferenceRnn.ApplyGradientDescent(Shape, Filled(26, 1), learningRate, parameters));

        Assert.Equal("learningRate", error.ParamName);
        Assert.Equal(before, parameters);
    }

    [Fact]
    public void GradientDescentWithLearningRateZeroChangesNothing()
    {
        double[] parameters = Filled(26, 1);
        double[] before = [.. parameters];

        ReferenceRnn.ApplyGradientDescent(Shape, Filled(26, 5), 0, parameters);

        Assert.Equal(before, parameters);
    }

    [Fact]
    public void TrainStepWithTargetsOfTheWrongLengthLeavesTheParametersUnchanged()
    {
        double[] parameters = Filled(26, -0.1);
        double[] before = [.. parameters];

        var error = Assert.Throws<ArgumentException>(() => ReferenceRnn.TrainStep(
            Shape, Filled(16, 0.2), T, N, new double[3], LossKind.LastOutputMeanSquaredError, 0.1, parameters));

        AssertNames(error, "targets", 4, 3);
        Assert.Equal(before, parameters);
    }

    [Fact]
    public void TrainStepWithABadLearningRateLeavesTheParametersUnchanged()
    {
        double[] parameters = Filled(26, -0.1);
        double[] before = [.. parameters];

        Assert.Throws<ArgumentOutOfRangeException>(() => ReferenceRnn.TrainStep(
            Shape, Filled(16, 0.2), T, N, new double[4], LossKind.LastOutputMeanSquaredError, double.NaN, parameters));

        Assert.Equal(before, parameters);
    }

    [Fact]
    public void ForwardPassKeepsItsOwnCopyOfParametersAndInputs()
    {
        double[] parameters = Filled(26, -0.1);
        double[] inputs = Filled(16, 0.2);
        ReferenceForwardPass forward = ReferenceRnn.Forward(Shape, parameters, inputs, T, N);
        double[] gradientsBefore = ReferenceRnn.Backward(forward, new double[4], LossKind.LastOutputMeanSquaredError).Parameters.ToArray();

        Array.Fill(parameters, 9.0);
        Array.Fill(inputs, 9.0);

        Assert.Equal(Filled(26, -0.1), forward.Parameters.ToArray());
        Assert.Equal(gradientsBefore, ReferenceRnn.Backward(forward, new double[4], LossKind.LastOutputMeanSquaredError).Parameters.ToArray());
    }

    private static void AssertNames(ArgumentException error, string name, int expected, int actual)
    {
        Assert.Equal(name, error.ParamName);
        Assert.Contains($"must hold {expected} values", error.Message);
        Assert.Contains($"but holds {actual}", error.Message);
    }
}
