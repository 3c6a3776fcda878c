namespace Rnn.Fast.Parity.Tests;

/// <summary>One of our implementations under the parity tests.</summary>
/// <param name="Run">Computes a problem with a loss: outputs, loss and every gradient, widened to double.</param>
/// <param name="Roundoff">The unit roundoff of the precision it computes in (<see cref="ParityTolerance.DoubleRoundoff"/>
/// for the reference, <see cref="ParityTolerance.SingleRoundoff"/> for a float32 engine): the tolerance uses the
/// coarser of this and torch's.</param>
public sealed record OurEngine(Func<ParityCase, LossKind, ElmanRun> Run, double Roundoff);
