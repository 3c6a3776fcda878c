using System.CommandLine;
using Rnn.Fast.Cli.Parsing;
using Rnn.Fast.Interop;

namespace Rnn.Fast.Cli.Interop;

/// <summary>
/// <c>rnn import FILE --out MODEL</c>: reads a PyTorch model — an nn.RNN and its nn.Linear head — from its state_dict
/// saved as safetensors (through <see cref="PyTorchSafetensors"/>) or from its ONNX graph (through
/// <see cref="OnnxModelImport"/>), prints what it found, and writes the model as a model file. The file's extension
/// says which it is.
/// </summary>
public static class ImportCommand
{
    /// <summary>Builds the <c>import</c> command.</summary>
    /// <param name="setup">The console and the shared options.</param>
    public static Command Create(CommandSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var file = new Argument<string>("file") { Description = "the model to read: a state_dict (.safetensors) or an ONNX graph (.onnx)", HelpName = "FILE" };
        Option<(string Rnn, string Head)?> prefix = PrefixOption.Create(
            "the module prefixes of the nn.RNN and the nn.Linear head in a state_dict (default: found from the keys; not for ONNX)");
        Option<string> output = CliOptions.File("--out", "the model file to write", required: true);
        var command = new Command("import",
            "Reads a PyTorch model — an nn.RNN(d, h, nonlinearity='tanh') and an nn.Linear(h, o) head — from its state_dict "
            + "saved as safetensors or from the ONNX graph torch.onnx.export wrote, prints the shape and which tensor went where "
            + "(for ONNX also the input's layout, last step or every step, and the initial state), and writes it as an rnn "
            + "model file. docs/interop.md explains the mapping (the two biases are summed into bh).")
        {
            file, prefix, output,
        };
        setup.AddExamples(command,
            "rnn import model.safetensors --out model.rnnf",
            "rnn import checkpoint.safetensors --prefix module.rnn.,module.fc. --out model.rnnf",
            "rnn import model.onnx --out model.rnnf");
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!, outputPath = parse.GetValue(output)!;
            InteropFormat format = InteropFormats.FromExtension(path)
                ?? throw new UsageException($"import: '{path}' is neither a .safetensors nor an .onnx file; rnn import reads PyTorch state_dicts saved as safetensors and ONNX graphs");
            (string Rnn, string Head)? prefixes = parse.GetValue(prefix);
            if (format == InteropFormat.Onnx && prefixes is not null)
            {
                throw new UsageException("import: --prefix selects the modules of a safetensors state_dict; an ONNX graph has one RNN node and its output layer, found without it, so leave --prefix out");
            }

            if (!File.Exists(path)) throw new UsageException($"there is no file '{path}'");
            TextWriter console = setup.Console.Output;
            if (format == InteropFormat.Onnx)
            {
                OnnxModelImport.Run(path, outputPath, console);
            }
            else
            {
                ImportSafetensors(path, prefixes, outputPath, console);
            }

            return CommandLine.SuccessExitCode;
        });
        return command;
    }

    /// <summary>The line that closes an import's report: the model file written holds the network and metadata only.</summary>
    /// <param name="outputPath">The model file written.</param>
    internal static string WroteLine(string outputPath) =>
        $"  wrote:    {outputPath} (format version 2, metadata only: no columns or scaling, so use the model from code or rnn info)";

    private static void ImportSafetensors(string path, (string Rnn, string Head)? prefixes, string outputPath, TextWriter console)
    {
        PyTorchImport import;
        try
        {
            var options = new PyTorchImportOptions { RnnPrefix = prefixes?.Rnn, HeadPrefix = prefixes?.Head };
            import = PyTorchSafetensors.Load(path, options);
        }
        catch (ArgumentException error) when (error is not ArgumentNullException)
        {
            throw new UsageException($"--prefix: {error.Message}");
        }
        catch (NotSupportedException error)
        {
            throw new InputDataException($"{path}: {error.Message}", error);
        }

        console.WriteLine($"rnn import: {path}");
        foreach (string line in import.Describe().Split('\n', StringSplitOptions.RemoveEmptyEntries)) console.WriteLine($"  {line.TrimEnd('\r')}");
        var metadata = new List<KeyValuePair<string, string>>
        {
            new("created-by", $"rnn import {VersionAction.ToolVersion}"),
            new("imported-from", Path.GetFileName(path)),
            new("import.rnn-prefix", import.RnnPrefix),
            new("import.head-prefix", import.HeadPrefix),
            new("import.nonlinearity", $"{import.Nonlinearity} ({import.NonlinearitySource})".ToLowerInvariant()),
        };
        RnnModelFile.Save(import.Model, outputPath, [ModelFileSection.CreateMetadata(metadata)]);
        console.WriteLine(WroteLine(outputPath));
    }
}
