using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// The cells of the bad-input table (docs/errors.md) that are behaviours rather than refusals: inference lets NaN and
/// infinities flow through without an exception (only the training step's guard checks for them), a forward pass may
/// write its outputs over its own inputs, and clipping leaves NaN gradients alone.
/// </summary>
public sealed class NonFiniteAndOverlapTests
{
    private static readonly RnnShape Shape = new(3, 5, 3); // d = o = 3, so inputs and outputs can share memory
    private const int T = 4, N = 2;

    [Fact]
    public void AForwardPassMayWriteItsOutputsOverItsInputs()
    {
        var model = new RnnModel(Shape, 3UL);
        using var workspace = new RnnWorkspace(model);
        float[] inputs = Values(T * N * 3, 1);
        var separate = new float[T * N * 3];
        workspace.Forward(inputs, T, N, OutputSteps.EveryStep, separate);

        // Every step's outputs (T·n·o = T·n·d values) written over the very inputs: the inputs are read in full first.
        float[] shared = (float[])inputs.Clone();
        workspace.Forward(shared, T, N, OutputSteps.EveryStep, shared);
        FloatAssert.BitIdentical(separate, shared, "outputs written over their inputs");
    }

    [Fact]
    public void NonFiniteInputsFlowThroughInferenceWithoutAnException()
    {
        var model = new RnnModel(Shape, 3UL);
        using var workspace = new RnnWorkspace(model);
        float[] inputs = Values(T * N * 3, 1), outputs = new float[N * 3];
        inputs[0] = float.NaN; // X_1, row 0: it reaches every later hidden state of row 0, and its outputs
        workspace.Forward(inputs, T, N, OutputSteps.LastStep, outputs);
        Assert.All(outputs[..3], o => Assert.True(float.IsNaN(o)));
        Assert.All(outputs[3..], o => Assert.True(float.IsFinite(o))); // row 1 is its own sequence

        var session = new RnnStreamingSession(model);
        var output = new float[3];
        session.Step([float.PositiveInfinity, 0f, 0f], output); // tanh saturates: a finite state, finite outputs
        Assert.All(output, o => Assert.True(float.IsFinite(o)));
        session.Step([float.NaN, 0f, 0f], output);
        Assert.All(output, o => Assert.True(float.IsNaN(o)));
    }

    [Fact]
    public void ClippingLeavesNaNGradientsAloneAndZeroesFiniteOnesBesideAnInfinity()
    {
        float[] withNaN = [3f, float.NaN, 4f];
        Assert.True(double.IsNaN(GradientClipping.ClipByGlobalNorm(withNaN, 1f)));
        Assert.Equal(3f, withNaN[0]); // N is NaN, c = 1/(NaN + 1e−6) is not below 1: nothing is scaled
        Assert.Equal(4f, withNaN[2]);

        float[] withInfinity = [3f, float.PositiveInfinity];
        Assert.Equal(double.PositiveInfinity, GradientClipping.ClipByGlobalNorm(withInfinity, 1f));
        Assert.Equal(0f, withInfinity[0]); // c = 1/∞ = 0: 3·0 = 0, and ∞·0 = NaN
        Assert.True(float.IsNaN(withInfinity[1]));
    }

    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }
}
