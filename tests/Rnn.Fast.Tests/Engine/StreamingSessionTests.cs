using Rnn.Fast.Kernels;

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
}
