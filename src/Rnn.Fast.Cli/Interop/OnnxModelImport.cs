using System.Globalization;
using Rnn.Fast.Cli.Parsing;
using Rnn.Fast.Onnx;

namespace Rnn.Fast.Cli.Interop;

/// <summary>
/// rnn import of an ONNX graph: <see cref="OnnxImporter"/> reads it, the report prints what the graph showed (the
/// result's own description, with the parameters' sources indented as the safetensors import lists its tensors), and
/// the model file records the graph's layout, output steps and initial state in its metadata. A graph the importer
/// refuses is an input the tool refuses (exit code 2), reported as the importer's one line: the file, the node, what
/// is not supported.
/// </summary>
internal static class OnnxModelImport
{
    /// <summary>The metadata key that records the imported graph's input layout (<c>time-major [T, n, d]</c> or
    /// <c>batch-major [n, T, d]</c>).</summary>
    internal const string InputLayoutKey = "import.input-layout";

    /// <summary>Imports the ONNX file at <paramref name="path"/> and writes it as a model file.</summary>
    /// <param name="path">The .onnx file; it exists.</param>
    /// <param name="outputPath">The model file to write.</param>
    /// <param name="console">Where the report goes.</param>
    /// <exception cref="InputDataException">The importer refused the file; nothing is written.</exception>
    public static void Run(string path, string outputPath, TextWriter console)
    {
        OnnxImportResult import;
        try
        {
            import = OnnxImporter.Import(path);
        }
        catch (InvalidOnnxModelException error)
        {
            throw new InputDataException(error.Message, error);
        }

        console.WriteLine($"rnn import: {path}");
        WriteDescription(import, console);
        RnnModelFile.Save(import.Model, outputPath, [ModelFileSection.CreateMetadata(Metadata(import, path))]);
        console.WriteLine(ImportCommand.WroteLine(outputPath));
    }

    /// <summary>Prints <see cref="OnnxImportResult.ToString"/> indented under the command's first line, the
    /// parameters' sources one level deeper (they close the description).</summary>
    /// <param name="import">What the importer found.</param>
    /// <param name="console">Where it goes.</param>
    internal static void WriteDescription(OnnxImportResult import, TextWriter console)
    {
        var parameterLines = new HashSet<string>(import.Parameters.Select(p => p.ToString()), StringComparer.Ordinal);
        foreach (string line in import.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string text = line.TrimEnd('\r');
            console.WriteLine(parameterLines.Contains(text) ? $"    {text}" : $"  {text}");
        }
    }

    /// <summary>The model file's metadata: who wrote it from which file, and how the graph ran the model — what the
    /// model file's network alone does not say.</summary>
    private static List<KeyValuePair<string, string>> Metadata(OnnxImportResult import, string path)
    {
        string producer = import.ProducerName.Length == 0 ? "unnamed" : $"{import.ProducerName} {import.ProducerVersion}".TrimEnd();
        var metadata = new List<KeyValuePair<string, string>>
        {
            new("created-by", $"rnn import {VersionAction.ToolVersion}"),
            new("imported-from", Path.GetFileName(path)),
            new("import.format", "onnx"),
            new("import.onnx-opset", import.Opset.ToString(CultureInfo.InvariantCulture)),
            new("import.onnx-producer", producer),
            new(InputLayoutKey, Layout(import.InputLayout, "d")),
            new("import.output-steps", import.OutputSteps == OutputSteps.LastStep ? "last step" : "every step"),
        };
        if (import.OutputSteps == OutputSteps.EveryStep) metadata.Add(new("import.output-layout", Layout(import.Output.Layout, "o")));
        metadata.Add(new("import.initial-state", import.InitialState switch
        {
            OnnxInitialState.GraphInput => $"graph input '{import.InitialHiddenInputName}'",
            OnnxInitialState.ZeroFromBatchSize => "zero (built from the input's batch size)",
            OnnxInitialState.ZeroConstant => "zero (a constant tensor)",
            _ => "zero (none given)",
        }));
        return metadata;
    }

    private static string Layout(OnnxSequenceLayout layout, string features) =>
        layout == OnnxSequenceLayout.TimeMajor ? $"time-major [T, n, {features}]" : $"batch-major [n, T, {features}]";
}
