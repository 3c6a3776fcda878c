namespace Rnn.Fast.Tests.Interop;

/// <summary>
/// PyTorch's layout mapped to ours, written out by the tests on their own: Wxh = weight_ih_l0ᵀ, Whh = weight_hh_l0ᵀ,
/// bh = bias_ih_l0 + bias_hh_l0 (one float addition; when either is ±0, the other as it is, as documented),
/// Who = weightᵀ, bo = bias.
/// </summary>
public static class TorchLayout
{
    /// <summary>The parameters in our layout from F32 state_dict tensors under the given prefixes.</summary>
    public static float[] Parameters(IReadOnlyDictionary<string, RawTensor> tensors, string rnnPrefix, string headPrefix)
    {
        float[] inputWeights = tensors[rnnPrefix + "weight_ih_l0"].Singles();
        float[] recurrentWeights = tensors[rnnPrefix + "weight_hh_l0"].Singles();
        float[] outputWeights = tensors[headPrefix + "weight"].Singles();
        int h = (int)tensors[rnnPrefix + "weight_ih_l0"].Shape[0], d = (int)tensors[rnnPrefix + "weight_ih_l0"].Shape[1];
        int o = (int)tensors[headPrefix + "weight"].Shape[0];
        var shape = new RnnShape(d, h, o);
        var parameters = new float[shape.ParameterCount];
        Span<float> wxh = shape.Wxh<float>(parameters), whh = shape.Whh<float>(parameters), who = shape.Who<float>(parameters);
        for (int i = 0; i < d; i++) for (int j = 0; j < h; j++) wxh[i * h + j] = inputWeights[j * d + i];
        for (int k = 0; k < h; k++) for (int j = 0; j < h; j++) whh[k * h + j] = recurrentWeights[j * h + k];
        for (int j = 0; j < h; j++) for (int k = 0; k < o; k++) who[j * o + k] = outputWeights[k * h + j];
        if (tensors.TryGetValue(rnnPrefix + "bias_ih_l0", out RawTensor? inputBias))
        {
            float[] a = inputBias.Singles(), b = tensors[rnnPrefix + "bias_hh_l0"].Singles();
            Span<float> bh = shape.Bh<float>(parameters);
            for (int j = 0; j < h; j++) bh[j] = b[j] == 0 ? a[j] : a[j] == 0 ? b[j] : a[j] + b[j];
        }

        if (tensors.TryGetValue(headPrefix + "bias", out RawTensor? outputBias)) outputBias.Singles().CopyTo(shape.Bo<float>(parameters));
        return parameters;
    }

    /// <summary>Gradients in our layout from torch's F32 or F64 gradient tensors (bh from bias_ih_l0's gradient).</summary>
    /// <param name="tensors">The gradient state_dict.</param>
    /// <param name="shape">The model's shape.</param>
    /// <param name="recurrentBias">bias_hh_l0's gradient, or empty when the model has no RNN biases.</param>
    public static double[] Gradients(IReadOnlyDictionary<string, RawTensor> tensors, RnnShape shape, out double[] recurrentBias)
    {
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        var gradients = new double[shape.ParameterCount];
        double[] inputWeights = Values(tensors["rnn.weight_ih_l0"]), recurrentWeights = Values(tensors["rnn.weight_hh_l0"]);
        double[] outputWeights = Values(tensors["fc.weight"]);
        Span<double> wxh = shape.Wxh<double>(gradients), whh = shape.Whh<double>(gradients), who = shape.Who<double>(gradients);
        for (int i = 0; i < d; i++) for (int j = 0; j < h; j++) wxh[i * h + j] = inputWeights[j * d + i];
        for (int k = 0; k < h; k++) for (int j = 0; j < h; j++) whh[k * h + j] = recurrentWeights[j * h + k];
        for (int j = 0; j < h; j++) for (int k = 0; k < o; k++) who[j * o + k] = outputWeights[k * h + j];
        Values(tensors["fc.bias"]).CopyTo(shape.Bo<double>(gradients));
        recurrentBias = [];
        if (tensors.TryGetValue("rnn.bias_ih_l0", out RawTensor? inputBias))
        {
            Values(inputBias).CopyTo(shape.Bh<double>(gradients));
            recurrentBias = Values(tensors["rnn.bias_hh_l0"]);
        }

        return gradients;
    }

    private static double[] Values(RawTensor tensor) =>
        tensor.DataType == "F64" ? tensor.Doubles() : Rnn.Fast.Reference.ReferenceRnn.Widen(tensor.Singles());
}
