namespace Rnn.Fast.Cli.Predict;

/// <summary>How <c>rnn predict</c> treats the hidden state between predictions (<c>--state</c>).</summary>
public enum PredictionState
{
    /// <summary>Each prediction runs the window of the T rows before it from a zero state, exactly as training saw
    /// its windows (the default): the prediction is, bit for bit, training's forward pass over that window.</summary>
    Window = 0,

    /// <summary>One step per row, the state carried from the first row on, as an app streaming live data with one
    /// <see cref="RnnStreamingSession"/> would: each prediction has seen every row before it.</summary>
    Carry = 1,
}
