using System.Globalization;

namespace Rnn.Fast;

/// <summary>How far one tensor of the fast engine lies from the double-precision reference, and where the worst element is.</summary>
/// <param name="Name">The tensor: "outputs", "loss", "dWxh", "dWhh", "dbh", "dWho", "dbo", "dH_0" or "dX".</param>
/// <param name="Dimensions">Its shape, outermost first, e.g. [T, n, o] for the outputs or [d, h] for dWxh.</param>
/// <param name="MaxAbsoluteError">max_i |fast_i − reference_i|.</param>
/// <param name="WorstIndex">The flat (row-major) index i where that maximum occurs; the first one on ties.</param>
/// <param name="FastValue">The fast engine's value at <paramref name="WorstIndex"/>.</param>
/// <param name="ReferenceValue">The reference's value there.</param>
/// <param name="ReferenceMagnitude">max_i |reference_i|, the tensor's scale.</param>
public sealed record TensorComparison(string Name, IReadOnlyList<int> Dimensions, double MaxAbsoluteError, int WorstIndex,
    double FastValue, double ReferenceValue, double ReferenceMagnitude)
{
    /// <summary>
    /// The normwise relative error: <see cref="MaxAbsoluteError"/> / <see cref="ReferenceMagnitude"/> (0 when both
    /// are 0). Elementwise relative errors are not used: where a gradient crosses zero they say nothing about accuracy.
    /// When the whole tensor is near zero (the loss and gradients of a model that fits its data almost exactly), this
    /// ratio says nothing either: judge <see cref="MaxAbsoluteError"/> then.
    /// </summary>
    public double RelativeError => ReferenceMagnitude > 0 ? MaxAbsoluteError / ReferenceMagnitude : MaxAbsoluteError == 0 ? 0 : double.PositiveInfinity;

    /// <summary>The position of the worst element as indices per dimension, e.g. "[3, 0, 1]".</summary>
    public string WorstPosition
    {
        get
        {
            var indices = new int[Dimensions.Count];
            int rest = WorstIndex;
            for (int k = Dimensions.Count - 1; k >= 0; k--)
            {
                indices[k] = rest % Dimensions[k];
                rest /= Dimensions[k];
            }

            return "[" + string.Join(", ", indices) + "]";
        }
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}: max abs error {MaxAbsoluteError:G3} at {WorstPosition} (fast {FastValue:G9}, reference {ReferenceValue:G9}), relative {RelativeError:G3}");
}
