namespace Rnn.Fast;

/// <summary>Which outputs a forward pass writes.</summary>
public enum OutputSteps
{
    /// <summary>Only the last step's outputs O_T: n·o values, <c>[n][o]</c>.</summary>
    LastStep = 0,

    /// <summary>Every step's outputs O_1..O_T: T·n·o values, time-major <c>[T][n][o]</c>; O_t starts at (t−1)·n·o.</summary>
    EveryStep = 1,
}
