using System.Globalization;
using Rnn.Fast.Cli.Data;

namespace Rnn.Fast.Cli.Models;

/// <summary>
/// A model as <c>rnn train</c> writes it and <c>rnn predict</c> reads it: the network, the columns it reads and
/// predicts, their standardization, the window length it was trained on, and free-form metadata — stored in the
/// well-known sections of a version-2 model file (<see cref="ModelFileSectionNames"/>).
/// </summary>
/// <param name="Model">The network.</param>
/// <param name="FeatureNames">The input columns, in the order the network reads them (d of them).</param>
/// <param name="TargetName">The column the single output predicts, one row ahead.</param>
/// <param name="InputScaling">The standardization of the inputs.</param>
/// <param name="TargetScaling">The standardization of the target (the output is read back through it).</param>
/// <param name="WindowLength">T, the rows of the training windows.</param>
/// <param name="Metadata">Free-form key–value pairs, in the order they are written.</param>
public sealed record TrainedModel(RnnModel Model, IReadOnlyList<string> FeatureNames, string TargetName, ColumnScaling InputScaling,
    ColumnScaling TargetScaling, int WindowLength, IReadOnlyList<KeyValuePair<string, string>> Metadata)
{
    /// <summary>The optimizer state at the end of training (for <c>rnn train --resume</c>); null when the file has none.</summary>
    public TrainingState? TrainingState { get; init; }

    /// <summary>The sections that hold everything but the network, in the order they are written.</summary>
    public IReadOnlyList<ModelFileSection> ToSections() =>
    [
        ModelFileSection.CreateStrings(ModelFileSectionNames.InputColumns, FeatureNames),
        ModelFileSection.CreateFloat64Array(ModelFileSectionNames.InputMean, [.. InputScaling.Mean]),
        ModelFileSection.CreateFloat64Array(ModelFileSectionNames.InputScale, [.. InputScaling.Scale]),
        ModelFileSection.CreateStrings(ModelFileSectionNames.OutputColumns, [TargetName]),
        ModelFileSection.CreateFloat64Array(ModelFileSectionNames.OutputMean, [.. TargetScaling.Mean]),
        ModelFileSection.CreateFloat64Array(ModelFileSectionNames.OutputScale, [.. TargetScaling.Scale]),
        ModelFileSection.CreateInt64Array(ModelFileSectionNames.WindowLength, [WindowLength]),
        ModelFileSection.CreateMetadata(Metadata),
        .. TrainingState?.ToSections() ?? [],
    ];

    /// <summary>Writes the model file atomically (format version 2).</summary>
    /// <param name="path">The file to create or replace.</param>
    public void Save(string path) => RnnModelFile.Save(Model, path, ToSections());

    /// <summary>Reads a model file that <c>rnn train</c> wrote.</summary>
    /// <param name="path">The model file.</param>
    /// <exception cref="UsageException">There is no such file.</exception>
    /// <exception cref="InvalidModelFileException">The file is not a valid model file.</exception>
    /// <exception cref="InputDataException">The file is valid but lacks what predict needs (a version-1 file, or one
    /// written by another program), or its model has more than one output.</exception>
    public static TrainedModel Load(string path)
    {
        RnnModelFileContents contents = ModelFiles.Load(path);
        RnnModel model = contents.Model;
        ModelFileSection Need(string name) => contents.Find(name) ?? throw new InputDataException(
            $"{path}: the model file has no '{name}' section, so it does not say how to read data (it is format version {contents.FormatVersion}; models written by 'rnn train' have it)");
        IReadOnlyList<string> features = Need(ModelFileSectionNames.InputColumns).GetStrings();
        if (model.Shape.OutputSize != 1)
        {
            throw new InputDataException(string.Create(CultureInfo.InvariantCulture,
                $"{path}: the model has {model.Shape.OutputSize} outputs; rnn predict reads models of one output, as rnn train writes them"));
        }

        var inputScaling = new ColumnScaling(Need(ModelFileSectionNames.InputMean).GetFloat64Array(), Need(ModelFileSectionNames.InputScale).GetFloat64Array());
        string target = Need(ModelFileSectionNames.OutputColumns).GetStrings()[0];
        var targetScaling = new ColumnScaling(Need(ModelFileSectionNames.OutputMean).GetFloat64Array(), Need(ModelFileSectionNames.OutputScale).GetFloat64Array());
        long window = Need(ModelFileSectionNames.WindowLength).GetInt64Array()[0];
        if (window > int.MaxValue) throw new InputDataException($"{path}: the window length {window} is larger than rnn handles");
        return new TrainedModel(model, features, target, inputScaling, targetScaling, (int)window, [.. contents.Metadata]) { TrainingState = contents.TrainingState };
    }
}
