using System.Buffers;
using Rnn.Fast.Kernels;

namespace Rnn.Fast;

/// <summary>
/// The policy of a training step, after its arguments were checked: the non-finite guard on the arguments, the loss
/// and gradients (from the workspace's forward and backward passes), the guard on the results, clipping by global
/// norm, and the update of the model. It owns the gradient buffer and counts the steps of its workspace.
/// </summary>
internal sealed class TrainingStep : IDisposable
{
    private readonly RnnWorkspace _workspace;
    private float[] _parameterGradients = [];
    private long _steps; // training steps past their argument checks, for NonFiniteValueException

    /// <summary>Creates the policy for the training steps of <paramref name="workspace"/>; the buffer is rented at the first step.</summary>
    public TrainingStep(RnnWorkspace workspace) => _workspace = workspace;

    /// <summary>
    /// Guard (when asked) over inputs, H_0 and targets; loss and gradients; guard over the loss and gradients;
    /// clipping (when asked); gradient descent <c>p ← p − learningRate·g</c> on the model.
    /// </summary>
    public TrainingStepResult Run(ReadOnlySpan<float> inputs, int T, int n, ReadOnlySpan<float> targets, LossKind loss,
        ReadOnlySpan<float> initialHidden, float learningRate, float? maxGradientNorm, bool guardNonFinite)
    {
        RnnModel model = _workspace.Model;
        RnnShape shape = model.Shape;
        InstructionSet path = model.InstructionSet;
        long step = ++_steps;
        if (guardNonFinite) NonFiniteGuard.CheckArguments(shape, inputs, T, n, initialHidden, targets, step, path);

        if (_parameterGradients.Length < shape.ParameterCount)
        {
            _parameterGradients = ArrayPool<float>.Shared.Rent(shape.ParameterCount);
        }

        Span<float> gradients = _parameterGradients.AsSpan(0, shape.ParameterCount);
        float value = _workspace.RunLossAndGradients(inputs, T, n, targets, loss, initialHidden, gradients);
        if (guardNonFinite)
        {
            NonFiniteGuard.CheckResults(shape, value, model.Parameters, _workspace.LossOutputs(targets.Length), T, n, gradients, step, path);
        }

        double? norm = null;
        bool clipped = false;
        if (maxGradientNorm is float maximum)
        {
            (norm, clipped) = GradientClipping.ClipByGlobalNorm(gradients, maximum, path);
        }

        model.ApplyGradientDescent(gradients, learningRate);
        return new TrainingStepResult(value, norm, clipped);
    }

    /// <summary>Returns the gradient buffer to the pool.</summary>
    public void Dispose()
    {
        if (_parameterGradients.Length > 0) ArrayPool<float>.Shared.Return(_parameterGradients);
        _parameterGradients = [];
    }
}
