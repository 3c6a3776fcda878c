using Microsoft.ML.OnnxRuntime;
using Rnn.Fast.Onnx;
using Rnn.Fast.Onnx.Tests.Support;

namespace Rnn.Fast.Parity.Tests.Onnx;

/// <summary>The C# of docs/interop.md's ONNX sections runs as written, on a real torch.onnx.export file, and does what
/// the page says; the summary the page prints is the one the importer prints.</summary>
public sealed class InteropDocsOnnxExampleTests
{
    [Fact]
    public void TheImportExampleRunsAndPrintsWhatThePageShows()
    {
        // The page's relative file names, made absolute in a folder of the test's own (the working directory is shared).
        string folder = Directory.CreateTempSubdirectory("interop-docs-").FullName;
        try
        {
            string onnx = Path.Combine(folder, "model.onnx"), rnnf = Path.Combine(folder, "model.rnnf");
            File.Copy(PyTorchFixtures.File("bf_last.onnx"), onnx);

            OnnxImportResult import = OnnxImporter.Import(onnx);
            Console.WriteLine(import);               // shape, layout, steps, initial state, which initializer went where
            RnnModel model = import.Model;
            RnnModelFile.Save(model, rnnf);  // Rnn.Fast's own format, if you like

            Assert.Equal(PrintedOnThePage(), import.ToString().ReplaceLineEndings("\n"));
            Assert.Equal(model.Parameters.ToArray(), RnnModelFile.Load(rnnf).Parameters.ToArray());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void TheExportAndOnnxRuntimeExamplesRunAndGiveTheModelsOutputs()
    {
        string folder = Directory.CreateTempSubdirectory("interop-docs-").FullName;
        try
        {
            string rnnf = Path.Combine(folder, "model.rnnf"), onnx = Path.Combine(folder, "model.onnx");
            string streaming = Path.Combine(folder, "stream.onnx"), everyStep = Path.Combine(folder, "every-step.onnx");
            RnnModelFile.Save(OnnxImporter.Import(PyTorchFixtures.File("tm_last.onnx")).Model, rnnf);
            int T = 7, n = 4, d = 3;
            float[] inputs = PyTorchFixtures.Floats("tm_last.x.f32");

            RnnModel model = RnnModelFile.Load(rnnf);
            OnnxExporter.Export(model, onnx);   // opset 14; O is the last step's output
            OnnxExporter.Export(model, streaming, new OnnxExportOptions { InitialHiddenInput = true });
            OnnxExporter.Export(model, everyStep, new OnnxExportOptions { Opset = 9, OutputSteps = OutputSteps.EveryStep });

            using var session = new InferenceSession(onnx);
            using var input = OrtValue.CreateTensorValueFromMemory(inputs, [T, n, d]);   // float[] inputs, time-major
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, [OnnxExporter.InputName], [input], [OnnxExporter.OutputName, OnnxExporter.HiddenStateOutputName]);
            float[] outputs = results[0].GetTensorDataAsSpan<float>().ToArray();        // O, [n, o]

            Assert.True(OnnxImporter.Import(streaming).TakesInitialHidden);
            Assert.Equal((9, OutputSteps.EveryStep), (OnnxImporter.Import(everyStep).Opset, OnnxImporter.Import(everyStep).OutputSteps));
            var problem = ElmanProblem.Of(model, inputs, T, n);
            BoundedComparison.Agree("O: the page's ONNX Runtime call vs our engine", outputs, problem.OursOutputs(model, OutputSteps.LastStep),
                problem.FloatBound(ForwardErrorBound.OnnxRuntimeTanhError).Outputs(OutputSteps.LastStep, 2),
                problem.FloatBound(ForwardErrorBound.OursTanhError).Outputs(OutputSteps.LastStep, 2));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The plain block after "For the batch-first export above it prints" in docs/interop.md.</summary>
    private static string PrintedOnThePage()
    {
        string page = File.ReadAllText(Path.Combine(PyTorchFixtures.Folder, "..", "..", "..", "docs", "interop.md")).ReplaceLineEndings("\n");
        int start = page.IndexOf("\n```\nONNX model from", StringComparison.Ordinal) + "\n```\n".Length;
        int end = page.IndexOf("\n```", start, StringComparison.Ordinal);
        return page[start..end];
    }
}
