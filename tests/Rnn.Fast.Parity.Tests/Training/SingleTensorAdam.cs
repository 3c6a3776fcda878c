using TorchSharp;
using static TorchSharp.torch;

namespace Rnn.Fast.Parity.Tests.Training;

/// <summary>
/// PyTorch's <c>_single_tensor_adam</c> (torch/optim/adam.py, the CPU default), operation by operation, as libtorch
/// tensor operations: TorchSharp's own Adam and AdamW update the first moment as <c>m.mul_(β1).add_(g, 1 − β1)</c>,
/// where PyTorch (since 2.0) uses <c>m.lerp_(g, 1 − β1)</c>, so this replica is what a PyTorch user's run computes.
/// </summary>
internal static class SingleTensorAdam
{

    /// <summary>
    /// One step from <paramref name="parameters"/> and <paramref name="state"/> (our layout), per tensor as torch steps
    /// them; also libtorch's square roots of the second moment (v, or its AMSGrad maximum) that the step divided by.
    /// </summary>
    public static (float[] Parameters, float[][] State, float[] Roots) Step(OptimizerParityCase parity, float[] parameters, float[] gradients, TrainingState state,
        double learningRate, Func<float[], float[][]> split)
    {
        (double beta1, double beta2, double epsilon, double defaultDecay, bool decoupled, bool amsGrad) = parity.Options.Optimizer switch
        {
            AdamOptimizer a => (a.Beta1, a.Beta2, a.Epsilon, a.WeightDecay, false, a.AmsGrad),
            AdamWOptimizer w => (w.Beta1, w.Beta2, w.Epsilon, w.WeightDecay, true, w.AmsGrad),
            _ => throw new ArgumentException("Not an Adam case.", nameof(parity)),
        };
        long step = state.StepCount + 1;
        float[][] p = split(parameters), g = split(gradients), m = split(state.Buffer(0).ToArray()), v = split(state.Buffer(1).ToArray());
        float[][] vMax = amsGrad ? split(state.Buffer(2).ToArray()) : new float[5][];
        var roots = new float[5][];
        using var _ = no_grad();
        for (int t = 0; t < 5; t++)
        {
            double weightDecay = parity.Options.WeightDecayOf((Rnn.Fast.Interop.RnnParameter)t);
            Tensor param = tensor(p[t]), grad = tensor(g[t]), expAvg = tensor(m[t]), expAvgSq = tensor(v[t]);
            if (weightDecay != 0)
            {
                if (decoupled) param.mul_(1 - learningRate * weightDecay);
                else grad = grad.add(param, alpha: weightDecay);
            }
            expAvg.lerp_(grad, tensor((float)(1 - beta1)));
            expAvgSq.mul_(beta2).addcmul_(grad, grad, value: 1 - beta2);
            double biasCorrection1 = 1 - Math.Pow(beta1, step), biasCorrection2 = 1 - Math.Pow(beta2, step);
            double stepSize = learningRate / biasCorrection1, biasCorrection2Sqrt = Math.Sqrt(biasCorrection2);
            Tensor denominator;
            if (amsGrad)
            {
                Tensor max = maximum(tensor(vMax[t]), expAvgSq);
                vMax[t] = max.data<float>().ToArray();
                denominator = (max.sqrt() / biasCorrection2Sqrt).add_(epsilon);
            }
            else
            {
                denominator = (expAvgSq.sqrt() / biasCorrection2Sqrt).add_(epsilon);
            }
            roots[t] = (amsGrad ? tensor(vMax[t]) : expAvgSq).sqrt().data<float>().ToArray();
            param.addcdiv_(expAvg, denominator, value: -stepSize);
            p[t] = param.data<float>().ToArray();
            m[t] = expAvg.data<float>().ToArray();
            v[t] = expAvgSq.data<float>().ToArray();
        }
        float[][] buffers = amsGrad ? [Join(m), Join(v), Join(vMax)] : [Join(m), Join(v)];
        return (Join(p), buffers, Join(roots));
    }

    private static float[] Join(float[][] parts) => [.. parts.SelectMany(x => x)];
}
