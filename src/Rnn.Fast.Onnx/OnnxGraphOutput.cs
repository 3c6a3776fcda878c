namespace Rnn.Fast.Onnx;

/// <summary>One output of an imported graph: its name, what it holds, which steps, and the meaning of each axis.</summary>
public sealed class OnnxGraphOutput
{
    internal OnnxGraphOutput(string name, OnnxOutputRole role, OutputSteps steps, IReadOnlyList<OnnxAxis> axes)
    {
        Name = name;
        Role = role;
        Steps = steps;
        Axes = axes;
    }

    /// <summary>The graph output's name.</summary>
    public string Name { get; }

    /// <summary>The model's output, or a hidden state.</summary>
    public OnnxOutputRole Role { get; }

    /// <summary>The last step only, or every step.</summary>
    public OutputSteps Steps { get; }

    /// <summary>Each axis in order, for example <c>[Batch, Feature]</c> for <c>[n, o]</c>, or
    /// <c>[Time, Direction, Batch, Feature]</c> for the RNN operator's Y.</summary>
    public IReadOnlyList<OnnxAxis> Axes { get; }

    /// <summary>For an every-step output, whether time or batch comes first; <see cref="OnnxSequenceLayout.TimeMajor"/>
    /// for a last-step output.</summary>
    public OnnxSequenceLayout Layout
    {
        get
        {
            int time = -1, batch = -1;
            for (int i = 0; i < Axes.Count; i++)
            {
                if (Axes[i] == OnnxAxis.Time) time = i;
                if (Axes[i] == OnnxAxis.Batch) batch = i;
            }

            return time > batch && batch >= 0 ? OnnxSequenceLayout.BatchMajor : OnnxSequenceLayout.TimeMajor;
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"'{Name}' [{string.Join(", ", Axes.Select(AxisLabel))}], {(Steps == OutputSteps.LastStep ? "last step" : "every step")}";

    private string AxisLabel(OnnxAxis axis) => axis switch
    {
        OnnxAxis.Time => "T",
        OnnxAxis.Batch => "n",
        OnnxAxis.Feature => Role == OnnxOutputRole.ModelOutput ? "o" : "h",
        _ => "1",
    };
}
