using Microsoft.ML.OnnxRuntime;

namespace Rnn.Fast.Parity.Tests.Onnx;

/// <summary>An ONNX model loaded in ONNX Runtime (CPU, one intra-op thread), run on float32 inputs.</summary>
internal sealed class OnnxRuntimeModel : IDisposable
{
    private readonly InferenceSession _session;

    public OnnxRuntimeModel(byte[] model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        _session = new InferenceSession(model, options);
    }

    /// <summary>Runs the model on the named inputs and returns every output by name, with its shape.</summary>
    public Dictionary<string, (float[] Values, long[] Shape)> Run(params (string Name, float[] Values, long[] Shape)[] inputs)
    {
        OrtValue[] values = [.. inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Values, i.Shape))];
        try
        {
            using var runOptions = new RunOptions();
            using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(runOptions, [.. inputs.Select(i => i.Name)], values, _session.OutputNames);
            var result = new Dictionary<string, (float[], long[])>(StringComparer.Ordinal);
            int index = 0;
            foreach (string name in _session.OutputNames)
            {
                OrtValue output = outputs.ElementAt(index++);
                result[name] = (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
            }

            return result;
        }
        finally
        {
            foreach (OrtValue value in values) value.Dispose();
        }
    }

    public void Dispose() => _session.Dispose();
}
