namespace Rnn.Fast.Parity.Tests;

/// <summary>
/// What one implementation computes for a <see cref="ParityCase"/> and a loss, in double, in our layouts: every
/// output, the loss, and the gradients of the loss with respect to every parameter, H_0 and X.
/// </summary>
/// <param name="Outputs">O_1..O_T, T·n·o values, time-major.</param>
/// <param name="Loss">The loss, with the mean reduction <see cref="LossKind"/> documents.</param>
/// <param name="ParameterGradients">∂L/∂Wxh, ∂L/∂Whh, ∂L/∂bh, ∂L/∂Who, ∂L/∂bo in <see cref="RnnShape"/>'s layout.</param>
/// <param name="InitialHiddenGradient">∂L/∂H_0, n·h values.</param>
/// <param name="InputGradient">∂L/∂X, T·n·d values, time-major.</param>
public sealed record ElmanRun(double[] Outputs, double Loss, double[] ParameterGradients, double[] InitialHiddenGradient, double[] InputGradient);
