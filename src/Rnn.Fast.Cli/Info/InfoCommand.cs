using System.CommandLine;
using System.Globalization;
using Rnn.Fast.Cli.Data;
using Rnn.Fast.Cli.Models;
using Rnn.Fast.Cli.Parsing;

namespace Rnn.Fast.Cli.Info;

/// <summary>
/// <c>rnn info MODEL</c>: what a model file holds — its size, format version and verified checksum, the shape and
/// parameter count, whether every parameter is finite, and (version 2) the window, the columns with their scaling,
/// the metadata and every section.
/// </summary>
public static class InfoCommand
{
    /// <summary>Builds the <c>info</c> command.</summary>
    /// <param name="setup">The console and the shared options.</param>
    public static Command Create(CommandSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var model = new Argument<string>("model") { Description = "the model file (.rnnf, format version 1 or 2)", HelpName = "MODEL" };
        var command = new Command("info", "Shows what a model file holds: size, format version, checksum, shape, parameter count, and the window, "
            + "columns, scaling, metadata and sections that rnn train stores with the model.")
        {
            model,
        };
        setup.AddExamples(command, "rnn info demand.rnnf");
        command.SetAction(parse =>
        {
            Write(parse.GetValue(model)!, setup.Console.Output);
            return CommandLine.SuccessExitCode;
        });
        return command;
    }

    /// <summary>Loads the file at <paramref name="path"/> and describes it.</summary>
    /// <param name="path">The model file.</param>
    /// <param name="output">Where the description goes.</param>
    /// <exception cref="UsageException">There is no such file.</exception>
    /// <exception cref="InvalidModelFileException">The file is not a valid model file.</exception>
    public static void Write(string path, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        RnnModelFileContents contents = ModelFiles.Load(path);
        CultureInfo invariant = CultureInfo.InvariantCulture;
        RnnShape shape = contents.Model.Shape;
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        ReadOnlySpan<float> parameters = contents.Model.Parameters;
        int nonFinite = 0;
        float largest = 0;
        foreach (float p in parameters)
        {
            if (!float.IsFinite(p)) nonFinite++;
            else largest = Math.Max(largest, Math.Abs(p));
        }

        output.WriteLine($"rnn info: {path}");
        output.WriteLine(string.Create(invariant,
            $"  file:        {new FileInfo(path).Length} bytes, format version {contents.FormatVersion}, CRC-32 0x{contents.Checksum:x8} (verified)"));
        output.WriteLine(string.Create(invariant,
            $"  shape:       d={d}, h={h}, o={o}, tanh; {shape.ParameterCount} parameters (Wxh {d}x{h}, Whh {h}x{h}, bh {h}, Who {h}x{o}, bo {o})"));
        output.WriteLine(nonFinite == 0
            ? string.Create(invariant, $"  parameters:  all finite, largest magnitude {CsvNumbers.Format(largest)}")
            : string.Create(invariant, $"  parameters:  {nonFinite} of {parameters.Length} are NaN or infinite"));
        if (contents.FormatVersion == 1)
        {
            output.WriteLine("  sections:    none (format version 1 holds the network only: no columns, scaling or window, so rnn predict cannot read it)");
            return;
        }

        if (contents.Find(ModelFileSectionNames.WindowLength) is { } window)
        {
            output.WriteLine(string.Create(invariant, $"  window:      {window.GetInt64Array()[0]} rows"));
        }

        WriteColumns(output, "inputs:", contents, ModelFileSectionNames.InputColumns, ModelFileSectionNames.InputMean, ModelFileSectionNames.InputScale, d);
        WriteColumns(output, "outputs:", contents, ModelFileSectionNames.OutputColumns, ModelFileSectionNames.OutputMean, ModelFileSectionNames.OutputScale, o);
        string label = "  metadata:    ";
        if (contents.Metadata.Count == 0) output.WriteLine($"{label}none");
        foreach ((string key, string value) in contents.Find(ModelFileSectionNames.Metadata)?.GetStringMap() ?? [])
        {
            output.WriteLine($"{label}{key} = {value}");
            label = new string(' ', label.Length);
        }

        label = "  sections:    ";
        if (contents.Sections.Count == 0) output.WriteLine($"{label}none");
        foreach (ModelFileSection section in contents.Sections)
        {
            output.WriteLine($"{label}{section}");
            label = new string(' ', label.Length);
        }
    }

    private static void WriteColumns(TextWriter output, string title, RnnModelFileContents contents, string columnsName, string meanName, string scaleName, int count)
    {
        IReadOnlyList<string>? names = contents.Find(columnsName)?.GetStrings();
        double[]? mean = contents.Find(meanName)?.GetFloat64Array();
        double[]? scale = contents.Find(scaleName)?.GetFloat64Array();
        if (names is null && mean is null && scale is null) return;
        string label = $"  {title,-12} ";
        for (int j = 0; j < count; j++)
        {
            string name = names is null ? $"#{j + 1}" : names[j];
            string scaling = mean is null || scale is null ? "no scaling" : $"standardized as (x - {CsvNumbers.Format(mean[j])}) / {CsvNumbers.Format(scale[j])}";
            output.WriteLine($"{label}{name}: {scaling}");
            label = new string(' ', label.Length);
        }
    }
}
