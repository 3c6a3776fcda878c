namespace Rnn.Fast;

/// <summary>Where a training step found a non-finite value (see <see cref="NonFiniteValueException"/>).</summary>
public enum TrainingTensor
{
    /// <summary>The inputs X_1..X_T; <see cref="NonFiniteValueException.TimeStep"/> says which X_t.</summary>
    Inputs,

    /// <summary>The given initial hidden state H_0.</summary>
    InitialHidden,

    /// <summary>The targets; <see cref="NonFiniteValueException.TimeStep"/> says which step's.</summary>
    Targets,

    /// <summary>The model's parameters (the loss was not finite and a parameter is NaN or infinite).</summary>
    Parameters,

    /// <summary>The outputs compared with the targets (inputs and parameters finite, but an output overflowed).</summary>
    Outputs,

    /// <summary>The loss itself (every output finite, but the sum of squared errors overflowed).</summary>
    Loss,

    /// <summary>A parameter gradient (∂L/∂p) after BPTT, with every input and the loss finite.</summary>
    Gradients,

    /// <summary>
    /// A parameter as the update would leave it, with every gradient finite: a learning rate too large for the
    /// gradients (p − learningRate·g overflows). The update was evaluated without being applied.
    /// </summary>
    UpdatedParameters,

    /// <summary>
    /// An optimizer's state as the update would leave it, with every gradient and every updated parameter finite: for
    /// instance Adam's second moment v overflowing for a gradient above about 1.8e19 (the parameter itself would move
    /// by m/∞ = 0). <see cref="NonFiniteValueException.Location"/> names the parameter and the state buffer. The update
    /// was evaluated without being applied.
    /// </summary>
    UpdatedOptimizerState,
}
