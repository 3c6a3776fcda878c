using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Rnn.Fast.Benchmarks.Infrastructure;
using Rnn.Fast.Onnx;

namespace Rnn.Fast.Benchmarks.Peers;

/// <summary>
/// What the ONNX Runtime peer benchmarks share: our model with the parameters every engine starts from
/// (<see cref="BenchmarkInputs"/>), exported by <see cref="OnnxExporter"/> and loaded in an ONNX Runtime session (CPU
/// execution provider, all graph optimizations, sequential execution), called through an I/O binding over buffers
/// allocated once — ONNX Runtime's lowest-overhead call path: no name lookup, no managed output allocation per call.
/// </summary>
/// <remarks>
/// Threads: 1 intra-op thread, the fair comparison with our single-threaded engine, and 0, which lets ONNX Runtime
/// choose (one intra-op thread per physical core). The % of peak column is relative to one core's FMA peak; at more
/// than one thread it may exceed 100%.
/// </remarks>
[Config(typeof(KernelBenchmarkConfig))]
[BenchmarkCategory("Peers")]
public abstract class OnnxRuntimePeerBenchmark : IFlopCount
{
    /// <summary>ONNX Runtime's intra-op threads: 1, or 0 for its own default.</summary>
    [Params(1, 0)]
    public int Threads { get; set; } = 1;

    /// <summary>The session running the exported model.</summary>
    protected InferenceSession Session { get; private set; } = null!;

    /// <summary>The run options every call passes.</summary>
    protected RunOptions RunOptions { get; private set; } = null!;

    /// <summary>The standard config being measured.</summary>
    protected BenchmarkConfig Shape { get; private set; } = null!;

    /// <summary>The parameters, inputs and targets every engine uses at <see cref="Shape"/>.</summary>
    protected BenchmarkInputs Inputs { get; private set; } = null!;

    /// <summary>The name of the config being measured (each benchmark's own <c>Config</c> parameter).</summary>
    protected abstract string ConfigName { get; }

    /// <summary>How the model is exported for this workload.</summary>
    protected abstract OnnxExportOptions ExportOptions { get; }

    /// <inheritdoc/>
    public abstract double FlopsPerInvoke(string benchmarkMethod);

    /// <summary>Exports the model, creates the session and lets the benchmark bind its buffers.</summary>
    [GlobalSetup]
    public void SetUp()
    {
        Shape = BenchmarkConfig.Named(ConfigName);
        Inputs = BenchmarkInputs.For(Shape);
        using var model = new MemoryStream();
        OnnxExporter.Export(new RnnModel(Shape.Shape, Inputs.Parameters), model, ExportOptions);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = Threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        Session = new InferenceSession(model.ToArray(), options);
        RunOptions = new RunOptions();
        Prepare();
    }

    /// <summary>Frees the bindings, the buffers' values and the session.</summary>
    [GlobalCleanup]
    public void CleanUp()
    {
        Release();
        RunOptions.Dispose();
        Session.Dispose();
    }

    /// <summary>Creates the values over pre-allocated buffers and binds them.</summary>
    protected abstract void Prepare();

    /// <summary>Disposes what <see cref="Prepare"/> created.</summary>
    protected abstract void Release();
}
