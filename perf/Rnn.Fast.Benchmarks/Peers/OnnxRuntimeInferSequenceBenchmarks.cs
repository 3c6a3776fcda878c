using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Rnn.Fast.Onnx;

namespace Rnn.Fast.Benchmarks.Peers;

/// <summary>
/// Workload infer-sequence in ONNX Runtime at every standard config: the exported graph (RNN over T steps from
/// H_0 = 0, then Gemm on the last hidden state) on X [T, n, d], into pre-allocated O [n, o] and Y_h [1, n, h].
/// </summary>
public class OnnxRuntimeInferSequenceBenchmarks : OnnxRuntimePeerBenchmark
{
    private OrtValue _inputs = null!, _outputs = null!, _hidden = null!;
    private OrtIoBinding _binding = null!;

    /// <summary>The standard config's name.</summary>
    [ParamsSource(nameof(Configs))]
    public string Config { get; set; } = "seed";

    /// <summary>Every config of bench-configs.json.</summary>
    public static IEnumerable<string> Configs() => BenchmarkConfig.All.Select(c => c.Name);

    /// <inheritdoc/>
    protected override string ConfigName => Config;

    /// <inheritdoc/>
    protected override OnnxExportOptions ExportOptions => new() { OutputSteps = OutputSteps.LastStep };

    /// <summary>Forward over T steps and the last step's output.</summary>
    [Benchmark]
    public void InferSequence() => Session.RunWithBinding(RunOptions, _binding);

    /// <inheritdoc/>
    public override double FlopsPerInvoke(string benchmarkMethod) =>
        benchmarkMethod == nameof(InferSequence) ? WorkloadFlops.InferSequence(BenchmarkConfig.Named(Config)) : 0;

    /// <inheritdoc/>
    protected override void Prepare()
    {
        BenchmarkConfig c = Shape;
        _inputs = OrtValue.CreateTensorValueFromMemory(Inputs.Inputs, [c.SequenceLength, c.BatchSize, c.InputSize]);
        _outputs = OrtValue.CreateTensorValueFromMemory(new float[c.BatchSize * c.OutputSize], [c.BatchSize, c.OutputSize]);
        _hidden = OrtValue.CreateTensorValueFromMemory(new float[c.BatchSize * c.HiddenSize], [1, c.BatchSize, c.HiddenSize]);
        _binding = Session.CreateIoBinding();
        _binding.BindInput(OnnxExporter.InputName, _inputs);
        _binding.BindOutput(OnnxExporter.OutputName, _outputs);
        _binding.BindOutput(OnnxExporter.HiddenStateOutputName, _hidden);
    }

    /// <inheritdoc/>
    protected override void Release()
    {
        _binding.Dispose();
        _inputs.Dispose();
        _outputs.Dispose();
        _hidden.Dispose();
    }
}
