using System.CommandLine;
using Rnn.Fast.Cli.Models;
using Rnn.Fast.Cli.Parsing;
using Rnn.Fast.Interop;

namespace Rnn.Fast.Cli.Interop;

/// <summary>
/// <c>rnn export MODEL --format safetensors --out FILE</c>: writes a model file's network as a PyTorch state_dict in
/// safetensors (through <see cref="PyTorchSafetensors"/>), then reads it back and prints what is in it: the names,
/// dtypes and shapes, and which Rnn.Fast parameter each holds.
/// </summary>
public static class ExportCommand
{
    /// <summary>Builds the <c>export</c> command.</summary>
    /// <param name="setup">The console and the shared options.</param>
    public static Command Create(CommandSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var model = new Argument<string>("model") { Description = "the model file (.rnnf)", HelpName = "MODEL" };
        ChoiceOption<string> format = CliOptions.Choice<string>("--format", "safetensors (a PyTorch state_dict of an nn.RNN and an nn.Linear head)",
            [new("safetensors", "safetensors"), new("onnx", "onnx")], "safetensors");
        Option<(string Rnn, string Head)?> prefix = PrefixOption.Create("the module prefixes to write, the nn.RNN's and the head's (default: rnn.,fc.)");
        Option<string> output = CliOptions.File("--out", "the file to write", required: true);
        var command = new Command("export",
            "Writes a model file's network as a PyTorch state_dict in safetensors (weight_ih_l0, weight_hh_l0, bias_ih_l0, "
            + "bias_hh_l0 of the nn.RNN, weight and bias of the nn.Linear head), and prints what it wrote. The columns, scaling "
            + "and window of a model from rnn train are not part of a state_dict: they stay in the model file.")
        {
            model, format.Option, prefix, output,
        };
        setup.AddExamples(command,
            "rnn export demand.rnnf --format safetensors --out demand.safetensors",
            "rnn export demand.rnnf --prefix module.rnn.,module.fc. --out demand.safetensors");
        command.SetAction(parse =>
        {
            string modelPath = parse.GetValue(model)!, outputPath = parse.GetValue(output)!;
            if (format.GetValue(parse) == "onnx")
            {
                throw new UsageException("export: --format onnx is not available in this build of rnn (only safetensors, from Rnn.Fast.Interop)");
            }

            ImportCommand.RequireSafetensors(outputPath, "export");
            RnnModelFileContents contents = ModelFiles.Load(modelPath);
            (string Rnn, string Head)? prefixes = parse.GetValue(prefix);
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
            TextWriter console = setup.Console.Output;
            console.WriteLine($"rnn export: {modelPath} -> {outputPath} (safetensors, read back:)");
            foreach (string line in written.Describe().Split('\n', StringSplitOptions.RemoveEmptyEntries)) console.WriteLine($"  {line.TrimEnd('\r')}");
            if (contents.Sections.Count > 0)
            {
                console.WriteLine($"  not exported: the model file's sections ({string.Join(", ", contents.Sections.Select(s => s.Name))})");
            }

            return CommandLine.SuccessExitCode;
        });
        return command;
    }
}
