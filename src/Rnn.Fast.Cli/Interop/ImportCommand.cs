using System.CommandLine;
using System.Globalization;
using Rnn.Fast.Cli.Parsing;
using Rnn.Fast.Interop;

namespace Rnn.Fast.Cli.Interop;

/// <summary>
/// <c>rnn import FILE --out MODEL</c>: reads a PyTorch state_dict saved as safetensors (an nn.RNN and its nn.Linear
/// head, through <see cref="PyTorchSafetensors"/>), prints what it found — shape, prefixes, dtypes, which tensor went
/// where, what was ignored — and writes the model as a model file. ONNX files are refused: the ONNX importer is not
/// part of this build.
/// </summary>
public static class ImportCommand
{
    /// <summary>Builds the <c>import</c> command.</summary>
    /// <param name="setup">The console and the shared options.</param>
    public static Command Create(CommandSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var file = new Argument<string>("file") { Description = "the state_dict, a .safetensors file", HelpName = "FILE" };
        Option<(string Rnn, string Head)?> prefix = PrefixOption.Create("the module prefixes of the nn.RNN and the nn.Linear head (default: found from the keys)");
        Option<string> output = CliOptions.File("--out", "the model file to write", required: true);
        var command = new Command("import",
            "Reads a PyTorch model — an nn.RNN(d, h, nonlinearity='tanh') and an nn.Linear(h, o) head, its state_dict saved as "
            + "safetensors — prints the shape, the dtypes and which tensor went where, and writes it as an rnn model file. "
            + "docs/interop.md explains the mapping (the two biases are summed into bh).")
        {
            file, prefix, output,
        };
        setup.AddExamples(command,
            "rnn import model.safetensors --out model.rnnf",
            "rnn import checkpoint.safetensors --prefix module.rnn.,module.fc. --out model.rnnf");
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!, outputPath = parse.GetValue(output)!;
            RequireSafetensors(path, "import");
            if (!File.Exists(path)) throw new UsageException($"there is no file '{path}'");
            (string Rnn, string Head)? prefixes = parse.GetValue(prefix);
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

            TextWriter console = setup.Console.Output;
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
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  wrote:    {outputPath} (format version 2, metadata only: no columns or scaling, so use the model from code or rnn info)"));
            return CommandLine.SuccessExitCode;
        });
        return command;
    }

    /// <summary>Refuses an ONNX file (or anything but safetensors) with a usage error that says what is available.</summary>
    /// <param name="path">The file.</param>
    /// <param name="command">The command's name, for the message.</param>
    internal static void RequireSafetensors(string path, string command)
    {
        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"{command}: ONNX is not available in this build of rnn (only safetensors, from Rnn.Fast.Interop); '{path}' is an ONNX file");
        }

        if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"{command}: '{path}' is not a .safetensors file; rnn {command} reads and writes PyTorch state_dicts as safetensors");
        }
    }
}
