using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Rnn.Fast.Onnx;

namespace Rnn.Fast.Benchmarks.Peers;

/// <summary>
/// Workload infer-step in ONNX Runtime at the seed, stream and small configs (stream and small share n, d, h and o, so
/// their steps are the same work): the exported graph with the initial_h input, fed one step
/// X_1 [1, n, d] and the carried hidden state, returning O [n, o] and the new state Y_h [1, n, h]. The state ping-pongs
/// between two buffers through two I/O bindings (call k reads the buffer call k − 1 wrote), so nothing is copied.
/// </summary>
public class OnnxRuntimeInferStepBenchmarks : OnnxRuntimePeerBenchmark
{
    private OrtValue _input = null!, _output = null!, _stateA = null!, _stateB = null!;
    private OrtIoBinding _aToB = null!, _bToA = null!;
    private bool _fromA;

    /// <summary>The standard config's name.</summary>
    [Params("seed", "stream", "small")]
    public string Config { get; set; } = "stream";

    /// <inheritdoc/>
    protected override string ConfigName => Config;

    /// <inheritdoc/>
    protected override OnnxExportOptions ExportOptions => new() { OutputSteps = OutputSteps.LastStep, InitialHiddenInput = true };

    /// <summary>One step with the carried hidden state, and its output.</summary>
    [Benchmark]
    public void InferStep()
    {
        Session.RunWithBinding(RunOptions, _fromA ? _aToB : _bToA);
        _fromA = !_fromA;
    }

    /// <inheritdoc/>
    public override double FlopsPerInvoke(string benchmarkMethod) =>
        benchmarkMethod == nameof(InferStep) ? WorkloadFlops.InferStep(BenchmarkConfig.Named(Config)) : 0;

    /// <inheritdoc/>
    protected override void Prepare()
    {
        int n = Shape.BatchSize, d = Shape.InputSize, h = Shape.HiddenSize, o = Shape.OutputSize;
        _input = OrtValue.CreateTensorValueFromMemory(Inputs.Inputs[..(n * d)], [1, n, d]); // X_1
        _output = OrtValue.CreateTensorValueFromMemory(new float[n * o], [n, o]);
        _stateA = OrtValue.CreateTensorValueFromMemory(new float[n * h], [1, n, h]);
        _stateB = OrtValue.CreateTensorValueFromMemory(new float[n * h], [1, n, h]);
        _aToB = Bind(_stateA, _stateB);
        _bToA = Bind(_stateB, _stateA);
        _fromA = true;
    }

    /// <inheritdoc/>
    protected override void Release()
    {
        _aToB.Dispose();
        _bToA.Dispose();
        _input.Dispose();
        _output.Dispose();
        _stateA.Dispose();
        _stateB.Dispose();
    }

    private OrtIoBinding Bind(OrtValue from, OrtValue to)
    {
        OrtIoBinding binding = Session.CreateIoBinding();
        binding.BindInput(OnnxExporter.InputName, _input);
        binding.BindInput(OnnxExporter.InitialHiddenName, from);
        binding.BindOutput(OnnxExporter.OutputName, _output);
        binding.BindOutput(OnnxExporter.HiddenStateOutputName, to);
        return binding;
    }
}
