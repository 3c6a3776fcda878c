using System.Globalization;
using System.Text;

namespace Rnn.Fast;

/// <summary>The result of <see cref="EngineVerification.Compare"/>: one <see cref="TensorComparison"/> per tensor.</summary>
public sealed class VerificationReport
{
    internal VerificationReport(RnnShape shape, int sequenceLength, int batchSize, LossKind loss, IReadOnlyList<TensorComparison> tensors)
    {
        Shape = shape;
        SequenceLength = sequenceLength;
        BatchSize = batchSize;
        Loss = loss;
        Tensors = tensors;
    }

    /// <summary>The network's sizes.</summary>
    public RnnShape Shape { get; }

    /// <summary>T.</summary>
    public int SequenceLength { get; }

    /// <summary>n.</summary>
    public int BatchSize { get; }

    /// <summary>The loss the gradients are of.</summary>
    public LossKind Loss { get; }

    /// <summary>Every tensor compared: outputs (every step), loss, dWxh, dWhh, dbh, dWho, dbo, dH_0, dX — in that order.</summary>
    public IReadOnlyList<TensorComparison> Tensors { get; }

    /// <summary>The tensor with the largest <see cref="TensorComparison.RelativeError"/>.</summary>
    public TensorComparison Worst
    {
        get
        {
            TensorComparison worst = Tensors[0];
            foreach (TensorComparison tensor in Tensors)
            {
                if (tensor.RelativeError > worst.RelativeError) worst = tensor;
            }

            return worst;
        }
    }

    /// <summary>A table: one line per tensor, then the worst one.</summary>
    public override string ToString()
    {
        CultureInfo invariant = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(string.Create(invariant, $"fast engine vs reference (double), {Shape}, T={SequenceLength}, n={BatchSize}, loss {Loss}"));
        text.AppendLine("  tensor    max abs error  relative error  worst at         fast              reference");
        foreach (TensorComparison t in Tensors)
        {
            text.AppendLine(string.Create(invariant,
                $"  {t.Name,-8}  {t.MaxAbsoluteError,13:0.000e+00}  {t.RelativeError,14:0.000e+00}  {t.WorstPosition,-15}  {t.FastValue,16:G9}  {t.ReferenceValue,16:G9}"));
        }

        text.Append(string.Create(invariant, $"  worst: {Worst.Name}, relative error {Worst.RelativeError:0.000e+00}"));
        return text.ToString();
    }
}
