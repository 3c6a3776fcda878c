namespace Rnn.Fast.Parity.Tests.Onnx;

/// <summary>Swapping the first two axes of a [a, b, c] array: batch-major ↔ time-major.</summary>
internal static class Layouts
{
    public static float[] SwapLeadingAxes(ReadOnlySpan<float> values, int first, int second, int width)
    {
        var result = new float[values.Length];
        for (int i = 0; i < first; i++)
        {
            for (int j = 0; j < second; j++) values.Slice((i * second + j) * width, width).CopyTo(result.AsSpan((j * first + i) * width, width));
        }

        return result;
    }

    public static double[] SwapLeadingAxes(ReadOnlySpan<double> values, int first, int second, int width)
    {
        var result = new double[values.Length];
        for (int i = 0; i < first; i++)
        {
            for (int j = 0; j < second; j++) values.Slice((i * second + j) * width, width).CopyTo(result.AsSpan((j * first + i) * width, width));
        }

        return result;
    }
}
