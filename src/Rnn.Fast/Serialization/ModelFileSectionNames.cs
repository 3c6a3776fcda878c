namespace Rnn.Fast;

/// <summary>
/// The names of the sections whose meaning the model-file format defines (docs/file-format.md, "Sections"). The
/// loader checks each of these that a file holds: its type, and its length against the model's shape; any other
/// name is the writer's own, and loads as it is. <c>rnn train</c> writes all of them; <c>rnn predict</c> reads them.
/// </summary>
/// <remarks>
/// The scaling sections describe standardization: the network reads z = (x − mean) / scale for each input column,
/// and its output y is read as mean + scale·y for each output column.
/// </remarks>
public static class ModelFileSectionNames
{
    /// <summary>Free-form key–value pairs (<see cref="ModelFileSectionType.StringMap"/>): who wrote the model and how
    /// (tool, data, options). <see cref="RnnModelFileContents.Metadata"/> reads it.</summary>
    public const string Metadata = "metadata";

    /// <summary>The names of the d input columns, in the order the network reads them (<see cref="ModelFileSectionType.Strings"/>, d entries).</summary>
    public const string InputColumns = "inputs.columns";

    /// <summary>The mean subtracted from each input column (<see cref="ModelFileSectionType.Float64Array"/>, d values).</summary>
    public const string InputMean = "inputs.mean";

    /// <summary>The scale each input column is divided by after the mean is subtracted (<see cref="ModelFileSectionType.Float64Array"/>,
    /// d values, each finite and above 0).</summary>
    public const string InputScale = "inputs.scale";

    /// <summary>The names of the o output columns (<see cref="ModelFileSectionType.Strings"/>, o entries).</summary>
    public const string OutputColumns = "outputs.columns";

    /// <summary>The mean added back to each output (<see cref="ModelFileSectionType.Float64Array"/>, o values).</summary>
    public const string OutputMean = "outputs.mean";

    /// <summary>The scale each output is multiplied by before the mean is added back (<see cref="ModelFileSectionType.Float64Array"/>,
    /// o values, each finite and above 0).</summary>
    public const string OutputScale = "outputs.scale";

    /// <summary>T, the number of time steps of the windows the model was trained on (<see cref="ModelFileSectionType.Int64Array"/>,
    /// one value, at least 1).</summary>
    public const string WindowLength = "window.length";

    /// <summary>Which optimizer the saved training state belongs to (<see cref="ModelFileSectionType.Text"/>): <c>sgd</c>,
    /// <c>sgd-momentum</c>, <c>adam</c>, <c>adam-amsgrad</c>, <c>adamw</c> or <c>adamw-amsgrad</c>
    /// (<see cref="TrainingStateKind"/>). With it, a file holds <see cref="OptimizerStep"/> and exactly the buffers of that kind.</summary>
    public const string OptimizerKind = "optimizer.kind";

    /// <summary>The updates the optimizer has taken (<see cref="ModelFileSectionType.Int64Array"/>, one value, at least 0):
    /// torch's <c>state['step']</c>, which also places the learning-rate schedule (<see cref="TrainingState.StepCount"/>).</summary>
    public const string OptimizerStep = "optimizer.step";

    /// <summary>SGD's momentum buffer (<see cref="ModelFileSectionType.Float32Array"/>, P finite values in the parameter layout).</summary>
    public const string OptimizerMomentumBuffer = "optimizer.momentum_buffer";

    /// <summary>Adam's first moment m (<see cref="ModelFileSectionType.Float32Array"/>, P finite values).</summary>
    public const string OptimizerFirstMoment = "optimizer.exp_avg";

    /// <summary>Adam's second moment v (<see cref="ModelFileSectionType.Float32Array"/>, P finite values, each at least 0).</summary>
    public const string OptimizerSecondMoment = "optimizer.exp_avg_sq";

    /// <summary>AMSGrad's running maximum of v (<see cref="ModelFileSectionType.Float32Array"/>, P finite values, each at least 0).</summary>
    public const string OptimizerMaxSecondMoment = "optimizer.max_exp_avg_sq";
}
