using Rnn.Fast.Interop;
using Rnn.Fast.Tests.Serialization;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Interop;

/// <summary>The C# of docs/interop.md runs as written, on a real PyTorch file, and does what the page says.</summary>
public sealed class InteropDocsExampleTests
{
    [Fact]
    public void TheLoadAndSaveExamplesRunAndRoundTrip()
    {
        // The page's relative file names, made absolute in a folder of the test's own (the working directory is shared).
        using var folder = new TemporaryFolder();
        string safetensors = folder.File("model.safetensors"), rnnf = folder.File("model.rnnf");
        File.Copy(PyTorchFixtures.File("prefix_encoder_head.safetensors"), safetensors);

        PyTorchImport import = PyTorchSafetensors.Load(safetensors);
        Console.WriteLine(import.Describe());   // shape, prefixes, nonlinearity, which tensor went where, what was ignored
        RnnModel model = import.Model;
        RnnModelFile.Save(model, rnnf); // Rnn.Fast's own format, if you like

        var options = new PyTorchImportOptions { RnnPrefix = "encoder.", HeadPrefix = "head." };
        PyTorchImport given = PyTorchSafetensors.Load(safetensors, options);
        FloatAssert.BitIdentical(model.Parameters, given.Model.Parameters, "prefixes found or given");

        PyTorchSafetensors.Save(model, safetensors);   // keys rnn.* and fc.*
        Assert.Equal(("rnn.", "fc."), (PyTorchSafetensors.Load(safetensors).RnnPrefix, PyTorchSafetensors.Load(safetensors).HeadPrefix));
        PyTorchSafetensors.Save(model, safetensors,
            new PyTorchExportOptions { RnnPrefix = "encoder.", HeadPrefix = "head." });   // to match other module names
        FloatAssert.BitIdentical(RnnModelFile.Load(rnnf).Parameters, PyTorchSafetensors.Load(safetensors).Model.Parameters, "saved back");
    }

    /// <summary>Doubling bh's gradient makes one Rnn.Fast step move bh as PyTorch's SGD moves bias_ih + bias_hh.</summary>
    [Fact]
    public void TheTrainingExampleMovesTheBiasTwiceAsFar()
    {
        RnnModel model = PyTorchSafetensors.Load(PyTorchFixtures.File("tm_last.safetensors")).Model;
        float[] inputs = PyTorchFixtures.ReadF32("tm_last.x.f32"), targets = PyTorchFixtures.ReadF32("tm_last.target.f32");
        int T = 7, n = 4;
        float learningRate = 0.1f;
        float[] before = model.Parameters.ToArray();
        using var workspace = new RnnWorkspace(model);
        var plain = new float[model.Shape.ParameterCount];
        workspace.ComputeGradients(inputs, T, n, targets, LossKind.LastOutputMeanSquaredError, plain);

        var gradients = new float[model.Shape.ParameterCount];
        workspace.ComputeGradients(inputs, T, n, targets, LossKind.LastOutputMeanSquaredError, gradients);
        foreach (ref float g in model.Shape.Bh<float>(gradients)) g *= 2;   // torch's bias_ih and bias_hh both step
        model.ApplyGradientDescent(gradients, learningRate);

        RnnShape s = model.Shape;
        for (int j = 0; j < s.HiddenSize; j++)
        {
            // fma(2g, −lr, b): the step of bias_ih plus the step of bias_hh, each −lr·g, in one rounding.
            float expected = MathF.FusedMultiplyAdd(2 * s.Bh<float>(plain)[j], -learningRate, s.Bh<float>(before)[j]);
            FloatAssert.BitIdentical(expected, s.Bh(model.Parameters)[j], $"bh[{j}] after the step");
        }

        FloatAssert.BitIdentical(
            s.Whh<float>(before).ToArray().Select((w, i) => MathF.FusedMultiplyAdd(s.Whh<float>(plain)[i], -learningRate, w)).ToArray(),
            s.Whh(model.Parameters), "Whh takes the plain step");
    }
}
