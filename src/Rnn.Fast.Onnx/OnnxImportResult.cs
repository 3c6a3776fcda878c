using System.Text;

namespace Rnn.Fast.Onnx;

/// <summary>
/// What <see cref="OnnxImporter"/> found in an ONNX file: the model, and how the graph's inputs and outputs relate to
/// it — the input's layout, last step or every step, whether the graph takes an initial state, which tensor became
/// which parameter. <see cref="ToString"/> prints all of it, for a command line.
/// </summary>
public sealed class OnnxImportResult
{
    internal OnnxImportResult(RnnModel model, OnnxFileInfo file, string rnnNodeName, string inputName,
        OnnxSequenceLayout inputLayout, int? fixedSequenceLength, int? fixedBatchSize, OnnxInitialState initialState,
        string? initialHiddenInputName, bool hasOutputLayer, IReadOnlyList<OnnxGraphOutput> outputs,
        IReadOnlyList<OnnxParameterSource> parameters)
    {
        Model = model;
        IrVersion = file.IrVersion;
        Opset = file.Opset;
        ProducerName = file.ProducerName;
        ProducerVersion = file.ProducerVersion;
        RnnNodeName = rnnNodeName;
        InputName = inputName;
        InputLayout = inputLayout;
        FixedSequenceLength = fixedSequenceLength;
        FixedBatchSize = fixedBatchSize;
        InitialState = initialState;
        InitialHiddenInputName = initialHiddenInputName;
        HasOutputLayer = hasOutputLayer;
        Outputs = outputs;
        Output = outputs.Single(o => o.Role == OnnxOutputRole.ModelOutput);
        Parameters = parameters;
    }

    /// <summary>The imported model: the graph's weights in <see cref="RnnShape"/>'s layout.</summary>
    public RnnModel Model { get; }

    /// <summary>The model's sizes d, h, o (o = h for a graph without an output layer).</summary>
    public RnnShape Shape => Model.Shape;

    /// <summary>The file's model-format version (the ONNX "IR version").</summary>
    public long IrVersion { get; }

    /// <summary>The version of the standard operator set the graph uses.</summary>
    public int Opset { get; }

    /// <summary>The tool that wrote the file (<c>producer_name</c>), or empty.</summary>
    public string ProducerName { get; }

    /// <summary>Its version (<c>producer_version</c>), or empty.</summary>
    public string ProducerVersion { get; }

    /// <summary>The name of the RNN node (empty when the node has none).</summary>
    public string RnnNodeName { get; }

    /// <summary>The graph input that holds the sequences X.</summary>
    public string InputName { get; }

    /// <summary>The order of X's axes: <c>[T, n, d]</c> or <c>[n, T, d]</c>. The engine reads time-major buffers, so
    /// batch-major inputs must be transposed before they are given to it.</summary>
    public OnnxSequenceLayout InputLayout { get; }

    /// <summary>T when the graph declares X's time axis as a number rather than a symbol; the imported model runs any T.</summary>
    public int? FixedSequenceLength { get; }

    /// <summary>n when the graph declares X's batch axis as a number rather than a symbol; the imported model runs any n.</summary>
    public int? FixedBatchSize { get; }

    /// <summary>Where H_0 comes from.</summary>
    public OnnxInitialState InitialState { get; }

    /// <summary>The graph input that holds H_0 (<c>[1, n, h]</c>, or <c>[n, 1, h]</c> with the RNN's layout 1), or null
    /// when the graph starts from zero.</summary>
    public string? InitialHiddenInputName { get; }

    /// <summary>Whether the graph takes H_0 as an input.</summary>
    public bool TakesInitialHidden => InitialHiddenInputName is not null;

    /// <summary>Whether the graph has an output layer (Gemm, or MatMul with an optional Add). Without one, the model's
    /// output is the hidden state: Who is the h×h identity and bo is zero.</summary>
    public bool HasOutputLayer { get; }

    /// <summary>Whether the model's output is the last step's or every step's.</summary>
    public OutputSteps OutputSteps => Output.Steps;

    /// <summary>The graph output that holds the model's output O.</summary>
    public OnnxGraphOutput Output { get; }

    /// <summary>Every graph output, in the graph's order: the model's output and any hidden states.</summary>
    public IReadOnlyList<OnnxGraphOutput> Outputs { get; }

    /// <summary>Where each of Wxh, Whh, bh, Who and bo came from, in that order.</summary>
    public IReadOnlyList<OnnxParameterSource> Parameters { get; }

    /// <summary>A summary of everything above, one fact per line.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        string producer = ProducerName.Length == 0 ? "an unnamed tool" : $"{ProducerName} {ProducerVersion}".TrimEnd();
        text.AppendLine($"ONNX model from {producer}, IR version {IrVersion}, opset {Opset}");
        text.AppendLine($"Elman RNN (node '{RnnNodeName}'): {Shape}, {Shape.ParameterCount} parameters");
        string input = InputLayout == OnnxSequenceLayout.TimeMajor ? "[T, n, d], time-major" : "[n, T, d], batch-major (transpose to time-major for Rnn.Fast)";
        text.AppendLine($"input '{InputName}': {input}{FixedSizes()}");
        text.AppendLine(InitialState switch
        {
            OnnxInitialState.GraphInput => $"initial state: graph input '{InitialHiddenInputName}'",
            OnnxInitialState.ZeroFromBatchSize => "initial state: zero (built from the input's batch size)",
            OnnxInitialState.ZeroConstant => "initial state: zero (a constant tensor)",
            _ => "initial state: zero (none given)",
        });
        text.AppendLine(HasOutputLayer ? "output layer: yes" : "output layer: none (the output is the hidden state: Who = I, bo = 0)");
        foreach (OnnxGraphOutput output in Outputs)
        {
            text.AppendLine($"{(output.Role == OnnxOutputRole.ModelOutput ? "output" : "hidden-state output")} {output}");
        }

        foreach (OnnxParameterSource parameter in Parameters) text.AppendLine(parameter.ToString());
        return text.ToString().TrimEnd();
    }

    private string FixedSizes()
    {
        if (FixedSequenceLength is null && FixedBatchSize is null) return "";
        var parts = new List<string>();
        if (FixedSequenceLength is int t) parts.Add($"T = {t}");
        if (FixedBatchSize is int n) parts.Add($"n = {n}");
        return $" (declared with {string.Join(", ", parts)}; the model runs any size)";
    }
}

/// <summary>The model-level facts of a parsed file.</summary>
internal sealed record OnnxFileInfo(long IrVersion, int Opset, string ProducerName, string ProducerVersion);
