namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// Every public entry point checks its arguments before it computes or writes anything: the exception names the
/// argument and gives the expected and the actual value, and the model, the workspace's last pass and the caller's
/// buffers are left exactly as they were.
/// </summary>
public sealed class EngineValidationTests
{
    private static readonly RnnShape Shape = new(3, 5, 2); // d = 3, h = 5, o = 2: 15 + 25 + 5 + 10 + 2 = 57 parameters
    private const int T = 4, N = 2;

    [Fact]
    public void ModelConstructionChecksTheShapeAndTheParameterLength()
    {
        Assert.Throws<ArgumentNullException>(() => new RnnModel(null!, 1UL));
        Assert.Throws<ArgumentNullException>(() => new RnnModel(null!, new float[57]));
        AssertRejected<ArgumentException>(() => new RnnModel(Shape, new float[56]), "parameters", "57", "56");
    }

    [Fact]
    public void ModelUpdatesWithBadArgumentsLeaveTheModelUnchanged()
    {
        var model = new RnnModel(Shape, 3UL);
        float[] before = model.Parameters.ToArray();
        float[] output = Outputs(model);

        AssertRejected<ArgumentException>(() => model.SetParameters(new float[58]), "parameters", "57", "58");
        AssertRejected<ArgumentException>(() => model.ApplyGradientDescent(new float[10], 0.1f), "gradients", "57", "10");
        foreach (float rate in new[] { -0.1f, float.NaN, float.PositiveInfinity })
        {
            AssertRejected<ArgumentOutOfRangeException>(() => model.ApplyGradientDescent(Ones(57), rate), "learningRate", "finite");
        }

        float[] destination = Ones(20);
        AssertRejected<ArgumentException>(() => model.CopyParametersTo(destination), "destination", "57", "20");
        Assert.Equal(Ones(20), destination);
        Assert.Equal(before, model.Parameters.ToArray());
        Assert.Equal(output, Outputs(model)); // the packs did not change either
    }

    [Fact]
    public void ForwardChecksSizesLengthsAndOutputSelectionBeforeWriting()
    {
        var model = new RnnModel(Shape, 3UL);
        using var workspace = new RnnWorkspace(model);
        float[] inputs = Ones(T * N * 3), outputs = Ones(N * 2), every = Ones(T * N * 2);

        AssertRejected<ArgumentOutOfRangeException>(() => workspace.Forward(inputs, 0, N, OutputSteps.LastStep, outputs), "sequenceLength", "0");
        AssertRejected<ArgumentOutOfRangeException>(() => workspace.Forward(inputs, T, 0, OutputSteps.LastStep, outputs), "batchSize", "0");
        AssertRejected<ArgumentOutOfRangeException>(() => workspace.Forward(inputs, 1 << 20, 1 << 12, OutputSteps.LastStep, outputs), "sequenceLength");
        AssertRejected<ArgumentException>(() => workspace.Forward(Ones(23), T, N, OutputSteps.LastStep, outputs), "inputs", "24", "23", "T·n·d");
        AssertRejected<ArgumentException>(() => workspace.Forward(inputs, T, N, Ones(9), OutputSteps.LastStep, outputs), "initialHidden", "10", "9");
        AssertRejected<ArgumentException>(() => workspace.Forward(inputs, T, N, OutputSteps.LastStep, every), "outputs", "4", "16", "LastStep");
        AssertRejected<ArgumentException>(() => workspace.Forward(inputs, T, N, OutputSteps.EveryStep, outputs), "outputs", "16", "4", "EveryStep");
        AssertRejected<ArgumentException>(() => workspace.Forward(inputs, T, N, (OutputSteps)7, outputs), "outputSteps", "7");

        Assert.Equal(Ones(N * 2), outputs);
        Assert.Equal(Ones(T * N * 2), every);
        Assert.Throws<InvalidOperationException>(() => workspace.CopyHiddenState(0, new float[10])); // nothing ran
    }

    [Fact]
    public void BackwardNeedsAForwardPassWithTheCurrentParametersAndChecksEveryBuffer()
    {
        var model = new RnnModel(Shape, 3UL);
        using var workspace = new RnnWorkspace(model);
        float[] inputs = Ones(T * N * 3), gradients = Ones(57), dH0 = Ones(N * 5), dX = Ones(T * N * 3);
        Assert.Throws<InvalidOperationException>(() => workspace.Backward(Ones(N * 2), gradients, dH0, dX));

        workspace.Forward(inputs, T, N, OutputSteps.LastStep, new float[N * 2]);
        AssertRejected<ArgumentException>(() => workspace.Backward(Ones(T * N * 2), gradients, dH0, dX), "outputGradients", "4", "16", "LastStep");
        AssertRejected<ArgumentException>(() => workspace.Backward(Ones(N * 2), Ones(56), dH0, dX), "parameterGradients", "57", "56");
        AssertRejected<ArgumentException>(() => workspace.Backward(Ones(N * 2), gradients, Ones(9), dX), "initialHiddenGradients", "10", "9");
        AssertRejected<ArgumentException>(() => workspace.Backward(Ones(N * 2), gradients, dH0, Ones(25)), "inputGradients", "24", "25");
        float[] shared = Ones(100);
        AssertRejected<ArgumentException>(() => workspace.Backward(shared.AsSpan(0, 4), shared.AsSpan(2, 57), dH0, dX), "parameterGradients", "overlap");
        AssertRejected<ArgumentException>(() => workspace.Backward(Ones(N * 2), shared.AsSpan(0, 57), shared.AsSpan(50, 10), dX), "initialHiddenGradients", "overlap");
        Assert.Equal(Ones(57), gradients);
        Assert.Equal(Ones(N * 5), dH0);
        Assert.Equal(Ones(T * N * 3), dX);
        Assert.Equal(Ones(100), shared);

        model.ApplyGradientDescent(new float[57], 0.5f);
        var stale = Assert.Throws<InvalidOperationException>(() => workspace.Backward(Ones(N * 2), gradients, dH0, dX));
        Assert.Contains("changed", stale.Message);
        Assert.Equal(Ones(57), gradients);
    }

    [Fact]
    public void TrainingWithBadArgumentsLeavesTheModelUnchanged()
    {
        var model = new RnnModel(Shape, 3UL);
        using var workspace = new RnnWorkspace(model);
        float[] before = model.Parameters.ToArray();
        float[] inputs = Ones(T * N * 3), last = Ones(N * 2), all = Ones(T * N * 2), gradients = Ones(57);
        const LossKind Last = LossKind.LastOutputMeanSquaredError, All = LossKind.AllOutputsMeanSquaredError;

        AssertRejected<ArgumentException>(() => workspace.TrainStep(inputs, T, N, all, Last, 0.1f), "targets", "4", "16", nameof(LossKind.LastOutputMeanSquaredError));
        AssertRejected<ArgumentException>(() => workspace.TrainStep(inputs, T, N, last, All, 0.1f), "targets", "16", "4", nameof(LossKind.AllOutputsMeanSquaredError));
        AssertRejected<ArgumentException>(() => workspace.TrainStep(inputs, T, N, last, (LossKind)5, 0.1f), "loss", "5");
        AssertRejected<ArgumentOutOfRangeException>(() => workspace.TrainStep(inputs, T, N, last, Last, -1f), "learningRate", "-1");
        AssertRejected<ArgumentOutOfRangeException>(() => workspace.TrainStep(inputs, T, N, last, Last, float.NaN), "learningRate", "NaN");
        AssertRejected<ArgumentException>(() => workspace.TrainStep(Ones(5), T, N, last, Last, 0.1f), "inputs", "24", "5");
        AssertRejected<ArgumentException>(() => workspace.TrainStep(inputs, T, N, last, Last, 0.1f, Ones(3)), "initialHidden", "10", "3");
        AssertRejected<ArgumentOutOfRangeException>(() => workspace.TrainStep(inputs, -2, N, last, Last, 0.1f), "sequenceLength", "-2");
        AssertRejected<ArgumentException>(() => workspace.ComputeGradients(inputs, T, N, last, Last, Ones(3)), "parameterGradients", "57", "3");
        AssertRejected<ArgumentException>(() => workspace.ComputeGradients(inputs, T, N, all, Last, gradients), "targets", "4", "16");
        Assert.Equal(before, model.Parameters.ToArray());
        Assert.Equal(Ones(57), gradients);
    }

    [Fact]
    public void StreamingChecksItsBuffersAndKeepsItsStateOnError()
    {
        var model = new RnnModel(Shape, 3UL);
        Assert.Throws<ArgumentNullException>(() => new RnnStreamingSession(null!));
        AssertRejected<ArgumentOutOfRangeException>(() => new RnnStreamingSession(model, 0), "batchSize", "0");

        var session = new RnnStreamingSession(model, N);
        session.Step(Ones(N * 3), new float[N * 2]);
        float[] state = new float[N * 5];
        session.CopyHiddenStateTo(state);
        float[] output = Ones(N * 2);

        AssertRejected<ArgumentException>(() => session.Step(Ones(N * 3 + 1), output), "input", "6", "7", "n·d");
        AssertRejected<ArgumentException>(() => session.Step(Ones(N * 3), Ones(3)), "output", "4", "3", "n·o");
        AssertRejected<ArgumentException>(() => session.SetHiddenState(Ones(11)), "hiddenState", "10", "11");
        AssertRejected<ArgumentException>(() => session.CopyHiddenStateTo(output), "destination", "10", "4");
        Assert.Equal(Ones(N * 2), output);
        float[] after = new float[N * 5];
        session.CopyHiddenStateTo(after);
        Assert.Equal(state, after);
    }

    [Fact]
    public void ADisposedWorkspaceRefusesEveryCall()
    {
        var workspace = new RnnWorkspace(new RnnModel(Shape, 3UL));
        workspace.Forward(Ones(T * N * 3), T, N, OutputSteps.LastStep, new float[N * 2]);
        workspace.Dispose();
        workspace.Dispose(); // twice is harmless

        Assert.Throws<ObjectDisposedException>(() => workspace.Forward(Ones(T * N * 3), T, N, OutputSteps.LastStep, new float[N * 2]));
        Assert.Throws<ObjectDisposedException>(() => workspace.Backward(new float[N * 2], new float[57], default, default));
        Assert.Throws<ObjectDisposedException>(() => workspace.TrainStep(Ones(T * N * 3), T, N, new float[N * 2], LossKind.LastOutputMeanSquaredError, 0.1f));
        Assert.Throws<ObjectDisposedException>(() => workspace.CopyHiddenState(0, new float[N * 5]));
    }

    private static float[] Outputs(RnnModel model)
    {
        using var workspace = new RnnWorkspace(model);
        var outputs = new float[T * N * 2];
        float[] inputs = new float[T * N * 3];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = i / 10f - 1;
        workspace.Forward(inputs, T, N, OutputSteps.EveryStep, outputs);
        return outputs;
    }

    private static float[] Ones(int length) => Enumerable.Repeat(1f, length).ToArray();

    /// <summary>The call throws exactly <typeparamref name="TException"/> for <paramref name="argument"/>, and the message mentions each of <paramref name="mentions"/>.</summary>
    private static void AssertRejected<TException>(Action call, string argument, params string[] mentions)
        where TException : ArgumentException
    {
        TException error = Assert.Throws<TException>(call);
        Assert.Equal(argument, error.ParamName);
        foreach (string mention in mentions) Assert.Contains(mention, error.Message);
    }
}
