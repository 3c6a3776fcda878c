using System.Buffers;
using Rnn.Fast.Kernels;

namespace Rnn.Fast;

/// <summary>
/// The policy of a training step, after its arguments were checked: the non-finite guard on the arguments, the loss
/// and gradients (from the workspace's forward and backward passes), the guard on the results, clipping by global
/// norm, the guard on the update, and the update of the model. It owns the gradient buffer and counts the steps of its
/// workspace.
/// </summary>
/// <remarks>
/// <para>The guard's rule, for every optimizer (see <see cref="IParameterUpdate"/>): with the guard on, nothing is
/// applied that would make a parameter NaN or infinite — the update is evaluated and checked before it is committed —
/// so a refused step leaves the model bit-identical, whichever of its checks refused it.</para>
/// <para>What a refused step leaves behind: the guard on the arguments runs before anything changes, so then nothing
/// did. A refusal after the forward pass (the loss, a gradient or the update) leaves the model as it was and the
/// workspace holding this step's forward pass at those unchanged parameters, as <see cref="RnnWorkspace.ComputeGradients"/>
/// would. The step count grows only when the model is updated, so a refused step's number is the count plus one, and
/// a retry reports the same number.</para>
/// </remarks>
internal sealed class TrainingStep : IDisposable
{
    private readonly RnnWorkspace _workspace;
    private float[] _parameterGradients = [];
    private long _steps; // training steps that updated the model, for NonFiniteValueException

    /// <summary>Creates the policy for the training steps of <paramref name="workspace"/>; the buffer is rented at the first step.</summary>
    public TrainingStep(RnnWorkspace workspace) => _workspace = workspace;

    /// <summary>
    /// Guard (when asked) over inputs, H_0 and targets; loss and gradients; guard over the loss and gradients;
    /// clipping by value, then by global norm (when asked); guard over the updated parameters (and optimizer state);
    /// <paramref name="update"/> applied to the model.
    /// </summary>
    public TrainingStepResult Run<TUpdate>(ReadOnlySpan<float> inputs, int T, int n, ReadOnlySpan<float> targets, LossKind loss,
        ReadOnlySpan<float> initialHidden, TUpdate update, float? maxGradientValue, float? maxGradientNorm, bool guardNonFinite)
        where TUpdate : struct, IParameterUpdate
    {
        RnnModel model = _workspace.Model;
        RnnShape shape = model.Shape;
        InstructionSet path = model.InstructionSet;
        long step = _steps + 1;
        if (guardNonFinite) NonFiniteGuard.CheckArguments(shape, inputs, T, n, initialHidden, targets, step, path);

        if (_parameterGradients.Length < shape.ParameterCount)
        {
            _parameterGradients = ArrayPool<float>.Shared.Rent(shape.ParameterCount);
        }

        Span<float> gradients = _parameterGradients.AsSpan(0, shape.ParameterCount);
        // Plain descent that nothing has to see the whole gradient before (no guard, no clipping) is applied to each
        // weight matrix as its gradient is computed, when that gradient is an outer product (one row): the same bits.
        // Then only the bias gradients are stored, and every step between the gradients and the update is off.
        Span<float> negatedRates = stackalloc float[OptimizerState.TensorCount];
        bool fused = !guardNonFinite && maxGradientValue is null && maxGradientNorm is null && _workspace.FusesDescent(T, n)
            && update.IsPlainDescent(negatedRates);

        // The loss and gradients read the model as one consistent weight set, or the step is refused (see RnnModel).
        int version = model.BeginRead();
        float value = _workspace.RunLossAndGradients(inputs, T, n, targets, loss, initialHidden, gradients, hiddenGradientsOnly: fused);
        _workspace.EndModelRead(version);
        if (guardNonFinite)
        {
            NonFiniteGuard.CheckResults(shape, value, model.Parameters, _workspace.LossOutputs(targets.Length), T, n, gradients, step, path);
        }

        if (maxGradientValue is float limit) GradientClipping.ClipByValue(gradients, limit, path);

        double? norm = null;
        bool clipped = false;
        if (maxGradientNorm is float maximum)
        {
            (norm, clipped) = GradientClipping.ClipByGlobalNorm(gradients, maximum, path);
        }

        if (guardNonFinite) NonFiniteGuard.CheckUpdate(shape, model.Parameters, gradients, update, step, path);
        // Committed only over the version the gradients were computed at: an update by another thread in between is refused.
        Span<float> parameters = model.BeginUpdate(version);
        try
        {
            if (fused)
            {
                _workspace.DescendWeights(parameters, gradients, negatedRates);
                update.CompletePlainDescent();
            }
            else
            {
                update.Apply(parameters, gradients, path);
            }
        }
        finally
        {
            model.EndUpdate();
        }

        _steps = step;
        return new TrainingStepResult(value, norm, clipped);
    }

    /// <summary>Returns the gradient buffer to the pool.</summary>
    public void Dispose()
    {
        if (_parameterGradients.Length > 0) ArrayPool<float>.Shared.Return(_parameterGradients);
        _parameterGradients = [];
    }
}
