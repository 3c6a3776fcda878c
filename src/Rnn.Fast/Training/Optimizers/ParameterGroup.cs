using Rnn.Fast.Interop;

namespace Rnn.Fast;

/// <summary>
/// A parameter group, as PyTorch's optimizers have them (<c>{'params': [...], 'lr': ..., 'weight_decay': ...}</c>): some
/// of the model's tensors with their own learning rate or weight decay (<see cref="TrainingOptions.ParameterGroups"/>).
/// Tensors in no group use the options' learning rate and the optimizer's weight decay. The usual case, no weight
/// decay on the biases: <c>new ParameterGroup(RnnParameter.Bh, RnnParameter.Bo) { WeightDecay = 0 }</c>.
/// </summary>
/// <remarks>
/// A group's learning rate is the initial rate of its own schedule (each torch group has its own <c>initial_lr</c>,
/// and a scheduler advances every group's rate separately); a group without one schedules the options' rate.
/// </remarks>
public sealed record ParameterGroup
{
    private readonly RnnParameter[] _parameters;
    private readonly float? _learningRate;
    private readonly double? _weightDecay;

    /// <summary>A group of the given tensors; set <see cref="LearningRate"/> or <see cref="WeightDecay"/> to override.</summary>
    /// <param name="parameters">At least one tensor, each at most once.</param>
    /// <exception cref="ArgumentException">No tensor, a tensor twice, or a value that is not an <see cref="RnnParameter"/>.</exception>
    public ParameterGroup(params RnnParameter[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Length == 0) throw new ArgumentException("A parameter group needs at least one tensor.", nameof(parameters));
        int seen = 0;
        foreach (RnnParameter parameter in parameters)
        {
            if (!Enum.IsDefined(parameter)) throw new ArgumentException($"{(int)parameter} is not an {nameof(RnnParameter)}.", nameof(parameters));
            int bit = 1 << (int)parameter;
            if ((seen & bit) != 0) throw new ArgumentException($"{parameter} appears more than once in the group.", nameof(parameters));
            seen |= bit;
        }
        _parameters = [.. parameters];
    }

    /// <summary>The group's tensors.</summary>
    public IReadOnlyList<RnnParameter> Parameters => _parameters;

    /// <summary>The group's initial learning rate (finite, at least 0); null (the default) for <see cref="TrainingOptions.LearningRate"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public float? LearningRate
    {
        get => _learningRate;
        init
        {
            if (value is float rate && (!float.IsFinite(rate) || rate < 0))
            {
                throw new ArgumentOutOfRangeException(nameof(LearningRate), rate, $"A group's {nameof(LearningRate)} must be finite and at least 0, but is {rate}.");
            }
            _learningRate = value;
        }
    }

    /// <summary>The group's weight decay (finite, at least 0); null (the default) for the optimizer's.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public double? WeightDecay
    {
        get => _weightDecay;
        init
        {
            if (value is double decay && (!double.IsFinite(decay) || decay < 0))
            {
                throw new ArgumentOutOfRangeException(nameof(WeightDecay), decay, $"A group's {nameof(WeightDecay)} must be finite and at least 0, but is {decay}.");
            }
            _weightDecay = value;
        }
    }

    /// <summary>Whether the group holds <paramref name="parameter"/>.</summary>
    internal bool Contains(RnnParameter parameter) => Array.IndexOf(_parameters, parameter) >= 0;
}
