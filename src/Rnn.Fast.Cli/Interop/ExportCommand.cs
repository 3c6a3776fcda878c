using System.CommandLine;
using Rnn.Fast.Cli.Models;
using Rnn.Fast.Cli.Parsing;
using Rnn.Fast.Interop;
using Rnn.Fast.Onnx;

namespace Rnn.Fast.Cli.Interop;

/// <summary>
/// <c>rnn export MODEL --format safetensors|onnx --out FILE</c>: writes a model file's network as a PyTorch state_dict
/// in safetensors (through <see cref="PyTorchSafetensors"/>) or as an ONNX graph (through <see cref="OnnxModelExport"/>),
/// then reads it back and prints what is in it. The options of one format are usage errors with the other, and
/// <c>--out</c> must carry the format's extension.
/// </summary>
public static class ExportCommand
{
    /// <summary>Builds the <c>export</c> command.</summary>
    /// <param name="setup">The console and the shared options.</param>
    public static Command Create(CommandSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var model = new Argument<string>("model") { Description = "the model file (.rnnf)", HelpName = "MODEL" };
        ChoiceOption<InteropFormat> format = CliOptions.Choice<InteropFormat>("--format",
            "safetensors (a PyTorch state_dict of an nn.RNN and an nn.Linear head) or onnx (an ONNX graph: one RNN node and its output layer)",
            [new("safetensors", InteropFormat.Safetensors), new("onnx", InteropFormat.Onnx)], "safetensors");
        Option<(string Rnn, string Head)?> prefix = PrefixOption.Create("safetensors: the module prefixes to write, the nn.RNN's and the head's (default: rnn.,fc.)");
        Option<int> opset = CliOptions.WholeNumber("--opset", "onnx: the ONNX opset", OnnxExporter.MinimumOpset, OnnxExporter.MaximumOpset, OnnxExporter.DefaultOpset);
        ChoiceOption<OutputSteps> outputs = CliOptions.Choice<OutputSteps>("--outputs",
            "onnx: whether the output O is the last step's [n, o] or every step's [T, n, o]",
            [new("last", OutputSteps.LastStep), new("every", OutputSteps.EveryStep)], "last");
        var initialState = new Option<bool>("--initial-state")
        {
            Description = "onnx: the graph takes H_0 as an input initial_h [1, n, h] (feed each call's Y_h back to stream); without it H_0 = 0",
        };
        Option<string> output = CliOptions.File("--out", "the file to write (.safetensors or .onnx, as --format says)", required: true);
        var command = new Command("export",
            "Writes a model file's network as a PyTorch state_dict in safetensors (weight_ih_l0, weight_hh_l0, bias_ih_l0, "
            + "bias_hh_l0 of the nn.RNN, weight and bias of the nn.Linear head) or as an ONNX graph for ONNX Runtime (input X "
            + "[T, n, d], outputs O and Y_h, T and n symbolic), and prints what it wrote. The columns, scaling and window of a "
            + "model from rnn train are part of neither: they stay in the model file.")
        {
            model, format.Option, prefix, opset, outputs.Option, initialState, output,
        };
        setup.AddExamples(command,
            "rnn export demand.rnnf --format safetensors --out demand.safetensors",
            "rnn export demand.rnnf --prefix module.rnn.,module.fc. --out demand.safetensors",
            "rnn export demand.rnnf --format onnx --out demand.onnx",
            "rnn export demand.rnnf --format onnx --opset 9 --outputs every --initial-state --out demand-stream.onnx");
        command.SetAction(parse =>
        {
            string modelPath = parse.GetValue(model)!, outputPath = parse.GetValue(output)!;
            InteropFormat chosen = format.GetValue(parse);
            RequireExtension(outputPath, chosen);
            Option[] otherFormatsOptions = chosen == InteropFormat.Onnx ? [prefix] : [opset, outputs.Option, initialState];
            if (otherFormatsOptions.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } misplaced)
            {
                InteropFormat other = chosen == InteropFormat.Onnx ? InteropFormat.Safetensors : InteropFormat.Onnx;
                throw new UsageException($"export: {misplaced.Name} is an option of --format {InteropFormats.Word(other)} only, and the format is {InteropFormats.Word(chosen)}");
            }

            RnnModelFileContents contents = ModelFiles.Load(modelPath);
            TextWriter console = setup.Console.Output;
            if (chosen == InteropFormat.Onnx)
            {
                var options = new OnnxExportOptions { Opset = parse.GetValue(opset), OutputSteps = outputs.GetValue(parse), InitialHiddenInput = parse.GetValue(initialState) };
                OnnxModelExport.Run(contents, modelPath, outputPath, options, console);
            }
            else
            {
                ExportSafetensors(contents, modelPath, outputPath, parse.GetValue(prefix), console);
            }

            return CommandLine.SuccessExitCode;
        });
        return command;
    }

    /// <summary>The line that closes an export's report when the model file has sections the exported file cannot hold.</summary>
    /// <param name="contents">The model file.</param>
    internal static string? NotExportedLine(RnnModelFileContents contents) => contents.Sections.Count == 0
        ? null
        : $"  not exported: the model file's sections ({string.Join(", ", contents.Sections.Select(s => s.Name))})";

    /// <summary>Refuses an output path whose extension is not the chosen format's, saying what to change.</summary>
    private static void RequireExtension(string path, InteropFormat format)
    {
        InteropFormat? named = InteropFormats.FromExtension(path);
        if (named == format) return;
        string word = InteropFormats.Word(format), extension = InteropFormats.Extension(format);
        throw new UsageException(named is InteropFormat other
            ? $"export: --out '{path}' ends in {InteropFormats.Extension(other)} but the format is {word}; give --format {InteropFormats.Word(other)} (the format is safetensors unless --format says otherwise)"
            : $"export: --out '{path}' must end in {extension} for --format {word}");
    }

    private static void ExportSafetensors(RnnModelFileContents contents, string modelPath, string outputPath, (string Rnn, string Head)? prefixes, TextWriter console)
    {
        var options = new PyTorchExportOptions();
        try
        {
            if (prefixes is { } p) options = new PyTorchExportOptions { RnnPrefix = p.Rnn, HeadPrefix = p.Head };
            PyTorchSafetensors.Save(contents.Model, outputPath, options);
        }
        catch (ArgumentException error) when (error is not ArgumentNullException)
        {
            throw new UsageException($"--prefix: {error.Message}");
        }

        // Read back what was written, with the prefixes it was written with: the description is of the file itself.
        PyTorchImport written = PyTorchSafetensors.Load(outputPath, new PyTorchImportOptions { RnnPrefix = options.RnnPrefix, HeadPrefix = options.HeadPrefix });
        console.WriteLine($"rnn export: {modelPath} -> {outputPath} (safetensors, read back:)");
        foreach (string line in written.Describe().Split('\n', StringSplitOptions.RemoveEmptyEntries)) console.WriteLine($"  {line.TrimEnd('\r')}");
        if (NotExportedLine(contents) is string notExported) console.WriteLine(notExported);
    }
}
