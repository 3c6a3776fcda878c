using Rnn.Fast.Kernels;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Engine;

/// <summary>Behaviour of <see cref="RnnStreamingSession.Step"/> that the random-shape properties do not reach.</summary>
public sealed class StreamingSessionTests
{
    /// <summary>
    /// A step reads its input in full before it writes the output, so a caller that feeds each output back as the
    /// next input may pass one buffer as both (d = o). Checked on every path against separate buffers, bit for
    /// bit, over 6 steps of 3 streams with h = 70 (a full and a partial 64-column panel).
    /// </summary>
    [Fact]
    public void AnOutputThatSharesTheInputsMemoryGetsTheBitsOfSeparateBuffers()
    {
        var shape = new RnnShape(5, 70, 5);
        const int n = 3, steps = 6;
        float[] parameters = new RnnModel(shape, 7UL).Parameters.ToArray();
        var random = new Random(7);
        float[] start = [.. Enumerable.Range(0, n * 5).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            var model = new RnnModel(shape, parameters, path);
            var separate = new RnnStreamingSession(model, n);
            var shared = new RnnStreamingSession(model, n);
            float[] input = (float[])start.Clone(), output = new float[n * 5], buffer = (float[])start.Clone();
            for (int t = 0; t < steps; t++)
            {
                separate.Step(input, output);
                shared.Step(buffer, buffer);
                Assert.Equal(output.Select(BitConverter.SingleToInt32Bits), buffer.Select(BitConverter.SingleToInt32Bits));
                output.CopyTo(input, 0);
            }
        }
    }

    /// <summary>
    /// One stream through a small layer (h ≤ 64, o ≤ 64) steps through the one-row kernel, from pointers the session keeps, to [Wxh ; Whh] in place
    /// and to Who in place (o a multiple of 16, or at least 15) or packed (o &lt; 15). Held to a model that packs every
    /// weight, which takes the general step, bit for bit on every path, across a change of the parameters (Who's pack
    /// is rebuilt in its own storage, which the kept pointer must still reach) and with the output in the input's memory.
    /// </summary>
    [Theory]
    [InlineData(1, 16, 1)]
    [InlineData(3, 33, 16)]
    [InlineData(16, 64, 20)]
    [InlineData(7, 20, 15)]
    [InlineData(5, 48, 64)]
    [InlineData(9, 9, 9)]
    [InlineData(4, 17, 33)]
    [InlineData(2, 64, 64)]
    public void AOneStreamStepThroughASmallLayerGetsTheBitsOfTheGeneralStep(int d, int h, int o)
    {
        var shape = new RnnShape(d, h, o);
        const int steps = 6;
        float[] parameters = ParameterInitialization.CreateUniform(shape, 3), changed = ParameterInitialization.CreateUniform(shape, 4);
        var random = new Random(d * h * o);
        float[] inputs = TestData.Uniform(random, steps * d, 1), hidden = TestData.Uniform(random, h, 1);
        foreach (InstructionSet path in KernelDispatch.Supported)
        {
            var small = new RnnModel(shape, parameters, path);
            var general = new RnnModel(shape, parameters, path, ModelLayoutForTest.EveryWeightPacked);
            var smallSession = new RnnStreamingSession(small);
            var generalSession = new RnnStreamingSession(general);
            smallSession.SetHiddenState(hidden);
            generalSession.SetHiddenState(hidden);
            float[] smallOutput = new float[o], generalOutput = new float[o];
            for (int t = 0; t < steps; t++)
            {
                if (t == steps / 2)
                {
                    small.SetParameters(changed);
                    general.SetParameters(changed);
                }

                smallSession.Step(inputs.AsSpan(t * d, d), smallOutput);
                generalSession.Step(inputs.AsSpan(t * d, d), generalOutput);
                FloatAssert.BitIdentical(generalOutput, smallOutput, $"{path}, {shape}, output {t + 1}");
            }

            float[] smallState = new float[h], generalState = new float[h];
            smallSession.CopyHiddenStateTo(smallState);
            generalSession.CopyHiddenStateTo(generalState);
            FloatAssert.BitIdentical(generalState, smallState, $"{path}, {shape}, hidden state");
            if (d != o) continue;

            float[] buffer = inputs[..d], separate = new float[o];
            generalSession.Step(inputs.AsSpan(0, d), separate);
            smallSession.Step(buffer, buffer);
            FloatAssert.BitIdentical(separate, buffer, $"{path}, {shape}, output in the input's memory");
        }
    }
}
