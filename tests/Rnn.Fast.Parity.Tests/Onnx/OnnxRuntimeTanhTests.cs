using Rnn.Fast.Onnx.Tests.Support;
using Xunit.Abstractions;
using static Rnn.Fast.Onnx.Tests.Support.OnnxGraphBuilder;

namespace Rnn.Fast.Parity.Tests.Onnx;

/// <summary>
/// The tanh error the bounds assume for ONNX Runtime (<see cref="ForwardErrorBound.OnnxRuntimeTanhError"/>, derived from
/// its RNN kernel's formula) holds for the ONNX Runtime these tests run: an RNN with d = h = 1, W = 1, R = 0 and no
/// bias computes Y_h = tanh(x) exactly as its recurrence would, so a sweep of x measures the kernel's tanh itself.
/// </summary>
public sealed class OnnxRuntimeTanhTests(ITestOutputHelper output)
{
    [Fact]
    public void OnnxRuntimesRnnTanhIsWithinTheDerivedBoundOverADenseSweep()
    {
        // 2^20 inputs: every 2^-16 step of [−12, 12] (the whole non-saturated range and the start of saturation), plus
        // 2^17 values spread geometrically over [2^-40, 2^4] on each side (tiny inputs, where 2σ(2x) − 1 cancels).
        var inputs = new List<float>();
        for (int i = -12 * 65536; i < 12 * 65536; i += 2) inputs.Add(i / 65536f);
        for (int i = 0; i < 131072; i++)
        {
            float value = (float)Math.Pow(2, -40 + 44.0 * i / 131072);
            inputs.Add(value);
            inputs.Add(-value);
        }

        var graph = new OnnxGraphBuilder(opset: 14);
        graph.Input("X", 1, "n", 1);
        graph.Initializer("W", [1, 1, 1], [1f]);
        graph.Initializer("R", [1, 1, 1], [0f]);
        graph.Node("RNN", ["X", "W", "R"], ["", "Y_h"], Int("hidden_size", 1));
        graph.Output("Y_h", 1, "n", 1);
        using var onnxRuntime = new OnnxRuntimeModel(graph.ToBytes());
        float[] x = [.. inputs];
        float[] tanh = onnxRuntime.Run(("X", x, [1, x.Length, 1]))["Y_h"].Values;

        double worst = 0;
        float worstAt = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double error = Math.Abs(tanh[i] - Math.Tanh(x[i]));
            if (error > worst) (worst, worstAt) = (error, x[i]);
        }

        output.WriteLine($"largest |tanh_ORT(x) − tanh(x)| = {worst:G4} at x = {worstAt:R}; bound {ForwardErrorBound.OnnxRuntimeTanhError:G4}");
        Assert.True(worst <= ForwardErrorBound.OnnxRuntimeTanhError, $"ONNX Runtime's tanh is off by {worst:G4} at x = {worstAt:R}, above the derived {ForwardErrorBound.OnnxRuntimeTanhError:G4}");
    }
}
