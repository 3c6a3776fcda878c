using System.Text.Json;
using Rnn.Fast.Onnx.Tests.Support;

namespace Rnn.Fast.Onnx.Tests.Import;

/// <summary>
/// Every ONNX graph torch.onnx.export wrote for the fixtures (tests/Fixtures/pytorch) imports with the structure the
/// manifest describes — sizes, layout, last or every step, initial state, and which initializer became which
/// parameter — and every unsupported one is refused naming its node. (That the imported models compute torch's outputs
/// is checked in the parity tests, against the fixtures' arrays and ONNX Runtime.)
/// </summary>
public sealed class PyTorchFixtureImportTests
{
    public static TheoryData<string> SupportedFiles() => [.. PyTorchFixtures.OnnxFiles("supported").Concat(PyTorchFixtures.OnnxFiles("prefix")).Select(f => f.Onnx.GetProperty("file").GetString()!)];

    [Theory]
    [MemberData(nameof(SupportedFiles))]
    public void EverySupportedGraphImportsWithTheStructureTheManifestDescribes(string file)
    {
        (JsonElement fixture, JsonElement onnx) = PyTorchFixtures.OnnxFiles("supported").Concat(PyTorchFixtures.OnnxFiles("prefix"))
            .Single(f => f.Onnx.GetProperty("file").GetString() == file);
        OnnxImportResult result = OnnxImporter.Import(PyTorchFixtures.File(file));

        JsonElement sizes = fixture.TryGetProperty("d", out _) ? fixture : PyTorchFixtures.Case("tm_last");
        Assert.Equal(new RnnShape(sizes.GetProperty("d").GetInt32(), sizes.GetProperty("h").GetInt32(), sizes.GetProperty("o").GetInt32()), result.Shape);
        Assert.Equal(onnx.GetProperty("opset").GetInt32(), result.Opset);
        Assert.Equal(onnx.GetProperty("ir_version").GetInt64(), result.IrVersion);
        Assert.Equal("pytorch", result.ProducerName);
        bool batchFirst = fixture.TryGetProperty("batch_first", out JsonElement bf) && bf.GetBoolean();
        Assert.Equal(batchFirst ? OnnxSequenceLayout.BatchMajor : OnnxSequenceLayout.TimeMajor, result.InputLayout);
        string output = fixture.TryGetProperty("output", out JsonElement o) ? o.GetString()! : "last_step";
        Assert.Equal(output == "every_step" ? OutputSteps.EveryStep : OutputSteps.LastStep, result.OutputSteps);
        Assert.Equal(output == "every_step" && batchFirst ? OnnxSequenceLayout.BatchMajor : OnnxSequenceLayout.TimeMajor, result.Output.Layout);
        Assert.True(result.HasOutputLayer);
        Assert.Equal("x", result.InputName);
        Assert.Equal("o", result.Output.Name);
        Assert.Single(result.Outputs);
        Assert.Null(result.FixedSequenceLength);
        Assert.Null(result.FixedBatchSize);

        bool h0 = fixture.TryGetProperty("h0_input", out JsonElement h0Input) && h0Input.GetBoolean();
        Assert.Equal(h0, result.TakesInitialHidden);
        Assert.Equal(h0 ? OnnxInitialState.GraphInput : OnnxInitialState.ZeroFromBatchSize, result.InitialState);
        Assert.Equal(h0 ? "h0" : null, result.InitialHiddenInputName);

        // Which initializer went where: W, R, B are the RNN node's inputs 1..3, and the head's tensors come after it.
        JsonElement rnn = onnx.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("op_type").GetString() == "RNN");
        string[] rnnInputs = [.. rnn.GetProperty("inputs").EnumerateArray().Select(i => i.GetString()!)];
        Assert.Equal(rnn.GetProperty("name").GetString(), result.RnnNodeName);
        Assert.Equal(["Wxh", "Whh", "bh", "Who", "bo"], result.Parameters.Select(p => p.Parameter));
        Assert.Equal(rnnInputs[1], result.Parameters[0].TensorName);
        Assert.Equal(rnnInputs[2], result.Parameters[1].TensorName);
        Assert.Equal(rnnInputs[3].Length == 0 ? null : rnnInputs[3], result.Parameters[2].TensorName);
        string[] initializers = [.. onnx.GetProperty("initializers").EnumerateArray().Select(i => i.GetProperty("name").GetString()!)];
        foreach (OnnxParameterSource source in result.Parameters.Where(p => p.TensorName is not null))
        {
            Assert.Contains(source.TensorName, initializers);
            JsonElement declared = onnx.GetProperty("initializers").EnumerateArray().Single(i => i.GetProperty("name").GetString() == source.TensorName);
            Assert.Equal(declared.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), source.Dimensions);
        }

        string head = output == "every_step" ? "MatMul" : "Gemm";
        JsonElement headNode = onnx.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("op_type").GetString() == head);
        Assert.Equal(headNode.GetProperty("inputs")[1].GetString(), result.Parameters[3].TensorName);
        string summary = result.ToString();
        Assert.Contains(rnnInputs[1], summary, StringComparison.Ordinal);
        Assert.Contains(result.Shape.ToString(), summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unsupported_lstm.onnx", "LSTM", OnnxModelProblem.UnsupportedOperator, "LSTM is not an Elman RNN")]
    [InlineData("unsupported_gru.onnx", "GRU", OnnxModelProblem.UnsupportedOperator, "GRU is not an Elman RNN")]
    [InlineData("unsupported_bidirectional.onnx", "RNN", OnnxModelProblem.UnsupportedAttribute, "direction 'bidirectional'")]
    [InlineData("unsupported_relu.onnx", "RNN", OnnxModelProblem.UnsupportedAttribute, "activations [Relu]")]
    [InlineData("unsupported_2layer.onnx", "RNN", OnnxModelProblem.UnsupportedGraph, "a second RNN node")]
    public void EveryUnsupportedGraphIsRefusedNamingItsNode(string file, string opType, OnnxModelProblem problem, string what)
    {
        string path = PyTorchFixtures.File(file);
        JsonElement onnx = PyTorchFixtures.OnnxFiles("unsupported").Single(f => f.Onnx.GetProperty("file").GetString() == file).Onnx;
        // The node named is the last node of that operator in the file (the second RNN for two layers).
        string nodeName = onnx.GetProperty("nodes").EnumerateArray().Last(n => n.GetProperty("op_type").GetString() == opType).GetProperty("name").GetString()!;

        var error = Assert.Throws<InvalidOnnxModelException>(() => OnnxImporter.Import(path));

        Assert.Equal(problem, error.Problem);
        Assert.Equal(path, error.FilePath);
        Assert.Equal(nodeName, error.NodeName);
        Assert.Equal(opType, error.OperatorType);
        Assert.StartsWith($"{path}: node '{nodeName}' ({opType}): ", error.Message, StringComparison.Ordinal);
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AStreamAndAPathImportTheSameModel()
    {
        string path = PyTorchFixtures.File("tm_last.onnx");
        byte[] bytes = File.ReadAllBytes(path);
        OnnxImportResult fromPath = OnnxImporter.Import(path);
        OnnxImportResult fromStream = OnnxImporter.Import(new MemoryStream(bytes, writable: false));
        OnnxImportResult fromPipe = OnnxImporter.Import(new UnseekableStream(bytes));
        Assert.Equal(fromPath.Model.Parameters.ToArray(), fromStream.Model.Parameters.ToArray());
        Assert.Equal(fromPath.Model.Parameters.ToArray(), fromPipe.Model.Parameters.ToArray());
        Assert.Equal(fromPath.ToString(), fromPipe.ToString());
    }
}
