using Rnn.Fast.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rnn.Fast.Parity.Tests;

/// <summary>The same problem computed by libtorch: nn.RNN(tanh) + nn.Linear, autograd, F.mse_loss.</summary>
public static class TorchRun
{
    /// <summary>
    /// Runs the problem in torch in <paramref name="type"/>: forward from H_0 (requiring grad) over X (requiring
    /// grad), <c>mse_loss</c> (mean) of the last output or of all outputs, backward.
    /// </summary>
    /// <param name="problem">The problem.</param>
    /// <param name="loss">Which loss.</param>
    /// <param name="type">Float64 (the parity check) or Float32.</param>
    /// <param name="hiddenHiddenBiasGradient">The gradient of torch's second hidden bias, bias_hh_l0.</param>
    public static ElmanRun Run(ParityCase problem, LossKind loss, ScalarType type, out double[] hiddenHiddenBiasGradient)
    {
        int T = problem.SequenceLength, n = problem.BatchSize;
        RnnShape shape = problem.Shape;
        using DisposeScope scope = NewDisposeScope();
        using var network = new TorchElmanNetwork(shape, problem.Parameters, type);
        Tensor inputs = network.Sequence(problem.Inputs, T, n, shape.InputSize).requires_grad_();
        Tensor initialHidden = network.Sequence(problem.InitialHidden, 1, n, shape.HiddenSize).requires_grad_();

        (Tensor outputs, _) = network.Forward(inputs, initialHidden);
        Tensor targets = loss == LossKind.LastOutputMeanSquaredError
            ? network.Sequence(problem.Targets(loss), 1, n, shape.OutputSize)[0]
            : network.Sequence(problem.Targets(loss), T, n, shape.OutputSize);
        Tensor compared = loss == LossKind.LastOutputMeanSquaredError ? outputs[T - 1] : outputs;
        Tensor value = nn.functional.mse_loss(compared, targets, nn.Reduction.Mean);
        value.backward();

        hiddenHiddenBiasGradient = network.HiddenHiddenBiasGradient();
        return new ElmanRun(
            TorchElmanNetwork.ToDoubles(outputs),
            value.to_type(ScalarType.Float64).item<double>(),
            network.ParameterGradients(),
            TorchElmanNetwork.ToDoubles(initialHidden.grad ?? throw new InvalidOperationException("H_0 got no gradient.")),
            TorchElmanNetwork.ToDoubles(inputs.grad ?? throw new InvalidOperationException("X got no gradient.")));
    }
}
