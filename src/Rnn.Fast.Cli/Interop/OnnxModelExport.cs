using System.Globalization;
using System.Runtime.InteropServices;
using Rnn.Fast.Onnx;

namespace Rnn.Fast.Cli.Interop;

/// <summary>
/// rnn export to ONNX: <see cref="OnnxExporter"/> writes the graph, <see cref="OnnxImporter"/> reads it back, and the
/// report describes the file as read: the opset, the inputs and outputs with their dimensions (T and n symbolic), and
/// which initializer holds each parameter; the parameters read back are checked to be the model's, bit for bit. The
/// model file's sections (columns, scaling, window, metadata) are not part of an ONNX graph; the report says so, what
/// that means for the graph's inputs and outputs when the model standardizes its columns, and that the graph reads
/// time-major inputs when the model came from a batch-major graph.
/// </summary>
internal static class OnnxModelExport
{
    /// <summary>Exports the model file's network to <paramref name="outputPath"/> and prints what the file holds.</summary>
    /// <param name="contents">The model file.</param>
    /// <param name="modelPath">Its path, for the report.</param>
    /// <param name="outputPath">The .onnx file to write.</param>
    /// <param name="options">The opset, output steps and initial-state input (already in range).</param>
    /// <param name="console">Where the report goes.</param>
    /// <exception cref="CommandFailedException">The file read back holds other parameters than the model (never expected); it is deleted.</exception>
    public static void Run(RnnModelFileContents contents, string modelPath, string outputPath, OnnxExportOptions options, TextWriter console)
    {
        OnnxExporter.Export(contents.Model, outputPath, options);
        OnnxImportResult written = OnnxImporter.Import(outputPath);
        if (!MemoryMarshal.AsBytes(written.Model.Parameters).SequenceEqual(MemoryMarshal.AsBytes(contents.Model.Parameters)))
        {
            File.Delete(outputPath);
            throw new CommandFailedException($"export: '{outputPath}' read back to other parameters than the model's, so it was deleted");
        }

        RnnShape shape = written.Shape;
        CultureInfo invariant = CultureInfo.InvariantCulture;
        console.WriteLine($"rnn export: {modelPath} -> {outputPath} (ONNX, read back:)");
        console.WriteLine($"  ONNX opset {written.Opset}, IR version {written.IrVersion}, written by {$"{written.ProducerName} {written.ProducerVersion}".TrimEnd()}");
        console.WriteLine($"  Elman RNN (node '{written.RnnNodeName}'): {shape}, {shape.ParameterCount} parameters, read back bit for bit");
        string symbolic = written.FixedSequenceLength is null && written.FixedBatchSize is null ? "; T and n symbolic" : "";
        console.WriteLine(string.Create(invariant, $"  input:  '{written.InputName}' [T, n, {shape.InputSize}], time-major{symbolic}"));
        if (written.InitialHiddenInputName is string initial)
        {
            console.WriteLine(string.Create(invariant, $"  input:  '{initial}' [1, n, {shape.HiddenSize}], H_0 (feed each call's Y_h back to carry the state)"));
        }

        foreach (OnnxGraphOutput graphOutput in written.Outputs)
        {
            bool isModelOutput = graphOutput.Role == OnnxOutputRole.ModelOutput;
            int features = isModelOutput ? shape.OutputSize : shape.HiddenSize;
            string dimensions = string.Join(", ", graphOutput.Axes.Select(axis => axis switch
            {
                OnnxAxis.Time => "T",
                OnnxAxis.Batch => "n",
                OnnxAxis.Feature => features.ToString(invariant),
                _ => "1",
            }));
            bool lastStep = graphOutput.Steps == OutputSteps.LastStep;
            string what = isModelOutput
                ? lastStep ? "the output of the last step" : "the output of every step"
                : lastStep ? "the last hidden state H_T" : "every hidden state";
            console.WriteLine($"  output: '{graphOutput.Name}' [{dimensions}], {what}");
        }

        WriteInitializers(written, options.OutputSteps, console);
        if (ExportCommand.NotExportedLine(contents) is string notExported)
        {
            console.WriteLine($"{notExported}: an ONNX graph holds the network only");
        }

        if (contents.Metadata.TryGetValue(OnnxModelImport.InputLayoutKey, out string? imported) && imported.StartsWith("batch-major", StringComparison.Ordinal))
        {
            console.WriteLine($"  note:   the model was imported from a graph that read {imported}; this graph reads X time-major [T, n, d]");
        }

        if (contents.Find(ModelFileSectionNames.InputMean) is not null || contents.Find(ModelFileSectionNames.OutputMean) is not null)
        {
            console.WriteLine("  note:   the model standardizes its columns, so the graph takes standardized inputs and gives standardized "
                + "outputs; rnn info shows each column's mean and scale");
        }
    }

    /// <summary>One line per parameter: the initializer the file holds it in (its name and dimensions as read back) and
    /// how the exporter laid it out there.</summary>
    private static void WriteInitializers(OnnxImportResult written, OutputSteps steps, TextWriter console)
    {
        bool lastStep = steps == OutputSteps.LastStep;
        var lines = new List<(string Target, string How)>();
        foreach (OnnxParameterSource source in written.Parameters)
        {
            string how = source.Parameter switch
            {
                "Wxh" => "W[0] = Wxh transposed",
                "Whh" => "R[0] = Whh transposed",
                "bh" => "B[0] = [bh | 0]: Wb = bh, Rb = 0",
                "Who" => lastStep ? "the Gemm's B, as it is" : "the MatMul's B, as it is",
                _ => lastStep ? "the Gemm's C" : "the Add's bias",
            };
            lines.Add(($"{source.Parameter} -> '{source.TensorName}' [{string.Join(", ", source.Dimensions)}]", how));
        }

        int width = lines.Max(l => l.Target.Length);
        foreach ((string target, string how) in lines) console.WriteLine($"    {target.PadRight(width)}  {how}");
    }
}
