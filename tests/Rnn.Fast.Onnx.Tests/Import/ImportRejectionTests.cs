using Google.Protobuf;
using Rnn.Fast.Onnx.Import;
using Rnn.Fast.Onnx.Protobuf;
using Rnn.Fast.Onnx.Tests.Support;
using static Rnn.Fast.Onnx.Tests.Support.OnnxGraphBuilder;

namespace Rnn.Fast.Onnx.Tests.Import;

/// <summary>
/// Every way a file can fail to be an Elman RNN this library runs exactly gives one exception,
/// <see cref="InvalidOnnxModelException"/>, whose message names the file, the node (name and operator) or the tensor,
/// and what was expected; nothing else escapes, and a forged size never makes the importer allocate what it asks for.
/// Each case starts from a real torch.onnx.export graph (the tm_last fixture: x [T, n, 3] → RNN(h = 20) → Gather →
/// Gemm → o [n, 2]) and changes one thing.
/// </summary>
public sealed class ImportRejectionTests
{
    private const string RnnNode = "/rnn/RNN", GemmNode = "/fc/Gemm";

    private static ModelProto TmLast() => OnnxFiles.Fixture("tm_last.onnx");

    private static NodeProto Rnn(ModelProto model) => OnnxFiles.NodeOf(model, "RNN");

    private static InvalidOnnxModelException Rejected(ModelProto model, OnnxModelProblem problem, string text) => Rejected(OnnxFiles.Bytes(model), problem, text);

    private static InvalidOnnxModelException Rejected(byte[] bytes, OnnxModelProblem problem, string text)
    {
        var error = Assert.Throws<InvalidOnnxModelException>(() => OnnxFiles.Import(bytes));
        Assert.Equal(problem, error.Problem);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
        Assert.Null(error.FilePath);
        return error;
    }

    private static void AssertNode(InvalidOnnxModelException error, string name, string opType)
    {
        Assert.Equal(name, error.NodeName);
        Assert.Equal(opType, error.OperatorType);
        Assert.StartsWith($"node '{name}' ({opType}): ", error.Message, StringComparison.Ordinal);
    }

    // ----- the bytes -----

    [Fact]
    public void ATruncatedFileIsMalformedAndFromAPathTheMessageStartsWithThePath()
    {
        byte[] bytes = File.ReadAllBytes(PyTorchFixtures.File("tm_last.onnx"));
        string path = Path.Combine(Path.GetTempPath(), $"truncated-{Guid.NewGuid():N}.onnx");
        try
        {
            // Cuts inside a field. (A cut between two fields leaves a shorter valid protobuf: 2 bytes are just
            // ir_version, so that file is a model without a graph, which AnEmptyFileIsAModelWithoutAGraph covers.)
            foreach (int length in new[] { 1, 10, 100, bytes.Length / 2, bytes.Length - 1 })
            {
                File.WriteAllBytes(path, bytes[..length]);
                var error = Assert.Throws<InvalidOnnxModelException>(() => OnnxImporter.Import(path));
                Assert.True(error.Problem == OnnxModelProblem.Malformed, $"{length} bytes: {error.Message}");
                Assert.Equal(path, error.FilePath);
                Assert.StartsWith($"{path}: malformed: ", error.Message, StringComparison.Ordinal);
                Assert.True(error.InnerException is InvalidProtocolBufferException, $"{length} bytes: {error.Message}");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AnEmptyFileIsAModelWithoutAGraph() =>
        Rejected([], OnnxModelProblem.Malformed, "malformed: the model has no graph.");

    /// <summary>
    /// Length fields that announce 2 GiB − 1 bytes (for a graph, an initializer, its raw_data, its packed float_data)
    /// in a file of a few dozen bytes: each is truncated, and importing allocates less than 64 KiB plus the file
    /// itself — never the announced size.
    /// </summary>
    [Theory]
    [InlineData(new byte[] { 0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07 })] // graph (7, length-delimited) of 2^31 − 1 bytes
    [InlineData(new byte[] { 0x3A, 0x07, 0x2A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00 })] // its initializer (5) of 2^31 − 1 bytes
    [InlineData(new byte[] { 0x3A, 0x08, 0x2A, 0x06, 0x4A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07 })] // raw_data (9) of 2^31 − 1 bytes
    [InlineData(new byte[] { 0x3A, 0x08, 0x2A, 0x06, 0x22, 0xFC, 0xFF, 0xFF, 0xFF, 0x07 })] // packed float_data (4) of 2^31 − 4 bytes
    [InlineData(new byte[] { 0x3A, 0x08, 0x2A, 0x06, 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07 })] // packed dims (1) of 2^31 − 1 bytes
    public void ForgedLengthsAreTruncatedWithoutAllocatingWhatTheyAnnounce(byte[] file)
    {
        OnnxFiles.Import(TestModels.SmallExport()); // compile and initialize everything first
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidOnnxModelException>(() => OnnxFiles.Import(file));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(OnnxModelProblem.Malformed, error.Problem);
        Assert.True(allocated < 64 * 1024, $"importing a {file.Length}-byte file allocated {allocated} bytes");
    }

    [Fact]
    public void AShapeWhoseElementCountDisagreesWithItsDataIsRefusedBeforeItsArrayIsAllocated()
    {
        ModelProto model = TmLast();
        TensorProto w = OnnxFiles.InitializerOf(model, Rnn(model).Input[1]);
        w.Dims[1] = 200_000_000; // 600 M elements announced, 60 held
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Rejected(model, OnnxModelProblem.InvalidTensorData, "has 600000000 elements (2400000000 bytes), but raw_data holds 240 bytes");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10 * 1024 * 1024);
        AssertNode(error, RnnNode, "RNN");
        Assert.Equal(w.Name, error.TensorName);
    }

    // ----- missing, mis-shaped or mis-typed tensors -----

    [Fact]
    public void AMissingInitializerIsAMissingValueNamingTheNodeAndTheTensor()
    {
        ModelProto model = TmLast();
        string w = Rnn(model).Input[1];
        model.Graph.Initializer.Remove(OnnxFiles.InitializerOf(model, w));
        var error = Rejected(model, OnnxModelProblem.MissingValue, $"its W '{w}' is not defined by an initializer, a graph input or an earlier node");
        AssertNode(error, RnnNode, "RNN");
        Assert.Equal(w, error.TensorName);
    }

    [Fact]
    public void ARecurrentMatrixOfTheWrongShapeIsAWrongShapeNamingIt()
    {
        ModelProto model = TmLast();
        string r = Rnn(model).Input[2];
        model.Graph.Initializer.Remove(OnnxFiles.InitializerOf(model, r));
        model.Graph.Initializer.Add(OnnxTensorData.FloatTensor(r, [1, 20, 19], new float[380]));
        var error = Rejected(model, OnnxModelProblem.WrongShape, $"wrong shape: initializer '{r}' is [1, 20, 19]; [1, h, h] = [1, 20, 20] was expected.");
        AssertNode(error, RnnNode, "RNN");
        Assert.Equal(r, error.TensorName);
    }

    [Fact]
    public void AnOutputMatrixWithTheWrongInnerSizeIsAWrongShapeNamingTheGemm()
    {
        ModelProto model = TmLast();
        model.Graph.Initializer.Remove(OnnxFiles.InitializerOf(model, "fc.weight"));
        model.Graph.Initializer.Add(OnnxTensorData.FloatTensor("fc.weight", [2, 21], new float[42]));
        var error = Rejected(model, OnnxModelProblem.WrongShape, "Gemm's B initializer 'fc.weight' is [2, 21] (transB = 1); it must give an [h, o] matrix with h = 20.");
        AssertNode(error, GemmNode, "Gemm");
    }

    [Fact]
    public void AGemmBiasThatDiffersPerSequenceIsAWrongShape()
    {
        ModelProto model = TmLast();
        model.Graph.Initializer.Remove(OnnxFiles.InitializerOf(model, "fc.bias"));
        model.Graph.Initializer.Add(OnnxTensorData.FloatTensor("fc.bias", [4, 2], new float[8]));
        AssertNode(Rejected(model, OnnxModelProblem.WrongShape, "Gemm's C initializer 'fc.bias' is [4, 2]; [o], [1, o] or a single value was expected"), GemmNode, "Gemm");
    }

    [Fact]
    public void DoubleWeightsAreAWrongDataType()
    {
        ModelProto model = TmLast();
        TensorProto w = OnnxFiles.InitializerOf(model, Rnn(model).Input[1]);
        w.DataType = 11; // DOUBLE
        var error = Rejected(model, OnnxModelProblem.WrongDataType, "wrong data type: expected float32 (FLOAT), found DOUBLE.");
        AssertNode(error, RnnNode, "RNN");
    }

    [Fact]
    public void ADoubleInputIsAWrongDataTypeNamingTheGraphInput()
    {
        ModelProto model = TmLast();
        model.Graph.Input[0].Type.TensorType.ElemType = 11;
        var error = Rejected(model, OnnxModelProblem.WrongDataType, "graph input 'x': wrong data type: expected float32, found DOUBLE.");
        Assert.Equal("x", error.TensorName);
    }

    [Fact]
    public void AnInputDeclaringOtherFeaturesThanWReadsIsAWrongShape()
    {
        ModelProto model = TmLast();
        model.Graph.Input[0].Type.TensorType.Shape.Dim[2].DimValue = 4;
        var error = Rejected(model, OnnxModelProblem.WrongShape, "graph input 'x' declares 4 features, but W [1, 20, 3] reads d = 3.");
        AssertNode(error, RnnNode, "RNN");
    }

    [Fact]
    public void WeightsInAnExternalFileAreInvalidTensorData()
    {
        ModelProto model = TmLast();
        TensorProto w = OnnxFiles.InitializerOf(model, Rnn(model).Input[1]);
        w.ClearRawData();
        w.DataLocation = TensorProto.Types.DataLocation.External;
        w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
        Rejected(model, OnnxModelProblem.InvalidTensorData, "the elements are in an external file ('weights.bin')");
    }

    // ----- graphs that are not an Elman RNN -----

    [Theory]
    [InlineData("clip", OnnxModelProblem.UnsupportedAttribute, "unsupported attribute: clip")]
    [InlineData("reverse", OnnxModelProblem.UnsupportedAttribute, "direction 'reverse'; only 'forward' is supported")]
    [InlineData("sigmoid", OnnxModelProblem.UnsupportedAttribute, "activations [Sigmoid]; only [Tanh] is supported")]
    [InlineData("alpha", OnnxModelProblem.UnsupportedAttribute, "unsupported attribute: activation_alpha")]
    [InlineData("unknown", OnnxModelProblem.UnsupportedAttribute, "'output_sequence' is not supported on RNN")]
    [InlineData("layout2", OnnxModelProblem.UnsupportedAttribute, "layout 2")]
    public void RecurrentAttributesThatChangeTheModelAreRefusedNamingTheNode(string change, OnnxModelProblem problem, string text)
    {
        ModelProto model = TmLast();
        NodeProto rnn = Rnn(model);
        switch (change)
        {
            case "clip": rnn.Attribute.Add(Float("clip", 5)); break;
            case "reverse": rnn.Attribute.Add(String("direction", "reverse")); break;
            case "sigmoid": rnn.Attribute.Remove(rnn.Attribute.Single(a => a.Name == "activations")); rnn.Attribute.Add(Strings("activations", "Sigmoid")); break;
            case "alpha": rnn.Attribute.Add(new AttributeProto { Name = "activation_alpha", Type = AttributeProto.Types.AttributeType.Floats, Floats = { 1f } }); break;
            case "unknown": rnn.Attribute.Add(Int("output_sequence", 1)); break;
            case "layout2": rnn.Attribute.Add(Int("layout", 2)); break;
        }

        AssertNode(Rejected(model, problem, text), RnnNode, "RNN");
    }

    [Fact]
    public void LayoutBeforeOpset14IsNotAnAttributeOfRnn()
    {
        ModelProto model = OnnxFiles.Fixture("tm_last.opset9.onnx");
        Rnn(model).Attribute.Add(Int("layout", 1));
        AssertNode(Rejected(model, OnnxModelProblem.UnsupportedAttribute, "'layout' is not supported on RNN"), RnnNode, "RNN");
    }

    [Fact]
    public void ANonZeroOrNaNConstantOfShapeInitialStateIsRefused()
    {
        ModelProto model = TmLast();
        NodeProto fill = OnnxFiles.NodeOf(model, "ConstantOfShape");
        fill.Attribute[0].T = OnnxTensorData.FloatTensor("", [1], [0.5f]);
        AssertNode(Rejected(model, OnnxModelProblem.UnsupportedGraph, "filled with 0.5; only a zero initial state is supported"), fill.Name, "ConstantOfShape");
        fill.Attribute[0].T = OnnxTensorData.FloatTensor("", [1], [float.NaN]);
        AssertNode(Rejected(model, OnnxModelProblem.UnsupportedGraph, "filled with NaN; only a zero initial state is supported"), fill.Name, "ConstantOfShape");
    }

    [Fact]
    public void ANonZeroConstantInitialStateIsRefusedAndAZeroOneIsAccepted()
    {
        ModelProto model = OnnxFiles.Fixture("tm_last_h0.onnx");
        model.Graph.Input.RemoveAt(1); // h0 becomes an initializer
        var zeros = new float[4 * 20];
        model.Graph.Initializer.Add(OnnxTensorData.FloatTensor("h0", [1, 4, 20], zeros));
        OnnxImportResult result = OnnxFiles.Import(model);
        Assert.Equal(OnnxInitialState.ZeroConstant, result.InitialState);
        Assert.False(result.TakesInitialHidden);

        OnnxFiles.InitializerOf(model, "h0").RawData = ByteString.CopyFrom(BitConverter.GetBytes(0.25f).Concat(new byte[4 * 79]).ToArray());
        var error = Rejected(model, OnnxModelProblem.UnsupportedGraph, "initial_h initializer 'h0' is a non-zero constant");
        AssertNode(error, RnnNode, "RNN");
        Assert.Equal("h0", error.TensorName);
    }

    [Fact]
    public void AZeroStateBuiltFromTheTimeAxisInsteadOfTheBatchAxisIsRefused()
    {
        ModelProto model = TmLast();
        // Gather index 1 of Shape(x) (n) becomes index 0 (T): the state would be [1, T, h].
        NodeProto index = model.Graph.Node.Single(n => n.OpType == "Constant" && n.Output[0] == OnnxFiles.NodeOf(model, "Gather").Input[1]);
        index.Attribute[0].T = OnnxTensorData.Int64Tensor("", [], [0]);
        AssertNode(Rejected(model, OnnxModelProblem.UnsupportedGraph, "its initial_h is a zero tensor of shape [1, x.shape[0], 20]; [1, n, h] with n the batch axis of 'x' (axis 1) was expected"), RnnNode, "RNN");
    }

    [Fact]
    public void ATransposeThatMovesTheInputFeaturesIsRefusedNamingIt()
    {
        ModelProto model = TmLast();
        NodeProto rnn = Rnn(model);
        model.Graph.Node.Insert(model.Graph.Node.IndexOf(rnn), new NodeProto { Name = "/swap", OpType = "Transpose", Input = { "x" }, Output = { "x_swapped" }, Attribute = { Ints("perm", 0, 2, 1) } });
        rnn.Input[0] = "x_swapped";
        AssertNode(Rejected(model, OnnxModelProblem.UnsupportedGraph, "perm [0, 2, 1] moves the last axis of graph input 'x' (its features)"), "/swap", "Transpose");
    }

    [Fact]
    public void ATransposeThatMovesTheHiddenFeaturesBeforeTheOutputLayerIsNamedInTheError()
    {
        ModelProto model = OnnxFiles.Fixture("tm_every.onnx");
        NodeProto matMul = OnnxFiles.NodeOf(model, "MatMul");
        model.Graph.Node.Insert(model.Graph.Node.IndexOf(matMul), new NodeProto { Name = "/scramble", OpType = "Transpose", Input = { matMul.Input[0] }, Output = { "scrambled" }, Attribute = { Ints("perm", 0, 2, 1) } });
        matMul.Input[0] = "scrambled";
        AssertNode(Rejected(model, OnnxModelProblem.UnsupportedGraph, "MatMul's A is the hidden state [T, h, n] (after node '/scramble' (Transpose)); its features must be the last axis"), matMul.Name, "MatMul");
    }

    [Fact]
    public void AnotherOperatorAfterTheRnnIsAnUnsupportedOperatorNamingIt()
    {
        ModelProto model = TmLast();
        NodeProto gemm = OnnxFiles.NodeOf(model, "Gemm");
        model.Graph.Node.Add(new NodeProto { Name = "/act/Relu", OpType = "Relu", Input = { "o" }, Output = { "o_relu" } });
        model.Graph.Output[0].Name = "o_relu";
        AssertNode(Rejected(model, OnnxModelProblem.UnsupportedOperator, "unsupported operator: Relu is not part of an Elman RNN"), "/act/Relu", "Relu");
        Assert.Equal("/fc/Gemm", gemm.Name);
    }

    [Fact]
    public void AnOperatorFromAnotherDomainIsRefused()
    {
        ModelProto model = TmLast();
        OnnxFiles.NodeOf(model, "Gemm").Domain = "com.microsoft";
        AssertNode(Rejected(model, OnnxModelProblem.UnsupportedOperator, "'Gemm' of domain 'com.microsoft'"), GemmNode, "Gemm");
    }

    [Fact]
    public void WeightsComputedAtRunTimeAreRefusedNamingWhatComputesThem()
    {
        ModelProto model = TmLast();
        NodeProto rnn = Rnn(model);
        string w = rnn.Input[1];
        model.Graph.Initializer.Remove(OnnxFiles.InitializerOf(model, w));
        model.Graph.Input.Add(Value(w, OnnxTensorData.Float, [1, 20, 3]));
        AssertNode(Rejected(model, OnnxModelProblem.UnsupportedGraph, $"W '{w}' is computed at run time by the graph input; weights must be initializers or Constant nodes"), RnnNode, "RNN");
    }

    [Fact]
    public void AnAddOnTheHiddenStateIsRefused()
    {
        ModelProto model = TmLast();
        NodeProto gemm = OnnxFiles.NodeOf(model, "Gemm");
        model.Graph.Initializer.Add(OnnxTensorData.FloatTensor("shift", [20], new float[20]));
        model.Graph.Node.Insert(model.Graph.Node.IndexOf(gemm), new NodeProto { Name = "/shift", OpType = "Add", Input = { gemm.Input[0], "shift" }, Output = { "shifted" } });
        gemm.Input[0] = "shifted";
        AssertNode(Rejected(model, OnnxModelProblem.UnsupportedGraph, "Add on the hidden state [n, h]; only the output layer's bias may be added"), "/shift", "Add");
    }

    [Fact]
    public void ASecondOutputLayerIsRefused()
    {
        ModelProto model = TmLast();
        NodeProto gemm = OnnxFiles.NodeOf(model, "Gemm");
        model.Graph.Node.Add(new NodeProto { Name = "/fc2/Gemm", OpType = "Gemm", Input = { gemm.Input[0], "fc.weight", "fc.bias" }, Output = { "o2" }, Attribute = { Int("transB", 1) } });
        model.Graph.Output.Add(Value("o2", OnnxTensorData.Float, ["n", 2]));
        AssertNode(Rejected(model, OnnxModelProblem.UnsupportedGraph, "a second output layer"), "/fc2/Gemm", "Gemm");
    }

    /// <summary>bo comes from the value the graph outputs: an Add whose result goes nowhere gives the model nothing, and
    /// a graph that outputs MatMul's result without the Add has bo = 0.</summary>
    [Fact]
    public void TheBiasIsTheOneOnThePathToTheGraphOutput()
    {
        ModelProto model = OnnxFiles.Fixture("tm_every.onnx");
        NodeProto add = OnnxFiles.NodeOf(model, "Add");
        model.Graph.Initializer.Add(OnnxTensorData.FloatTensor("other_bias", [2], [100f, 200f]));
        model.Graph.Node.Add(new NodeProto { Name = "/dead/Add", OpType = "Add", Input = { add.Input[1], "other_bias" }, Output = { "unused" } });
        float[] fcBias = [.. Enumerable.Range(0, 2).Select(i => BitConverter.ToSingle(OnnxFiles.InitializerOf(model, "fc.bias").RawData.Span[(4 * i)..]))];
        OnnxImportResult result = OnnxFiles.Import(model);
        Assert.Equal(fcBias, result.Shape.Bo(result.Model.Parameters).ToArray());
        Assert.Equal("fc.bias", result.Parameters[4].TensorName);

        model.Graph.Output[0].Name = add.Input[1]; // the MatMul's result
        result = OnnxFiles.Import(model);
        Assert.Equal(new float[2], result.Shape.Bo(result.Model.Parameters).ToArray());
        Assert.Null(result.Parameters[4].TensorName);
    }

    [Fact]
    public void AGraphInputThatIsNeitherXNorTheInitialStateIsRefused()
    {
        ModelProto model = TmLast();
        model.Graph.Input.Add(Value("mask", OnnxTensorData.Float, ["n"]));
        var error = Rejected(model, OnnxModelProblem.UnsupportedGraph, "graph input 'mask': unsupported graph: it is neither the RNN's input X ('x') nor its initial state.");
        Assert.Equal("mask", error.TensorName);
        Assert.Null(error.NodeName);
    }

    [Fact]
    public void SequenceLengthsAreRefusedUnlessTheyEqualAFixedT()
    {
        ModelProto model = TmLast();
        NodeProto rnn = Rnn(model);
        model.Graph.Initializer.Add(new TensorProto { Name = "lengths", DataType = OnnxTensorData.Int32, Dims = { 4 }, Int32Data = { 7, 7, 7, 7 } });
        rnn.Input[4] = "lengths";
        AssertNode(Rejected(model, OnnxModelProblem.UnsupportedGraph, "sequence_lens [7, 7, 7, 7] must equal T for every sequence, and T must be fixed by the input's declared shape (it is symbolic)"), RnnNode, "RNN");

        model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimValue = 7;
        OnnxImportResult result = OnnxFiles.Import(model);
        Assert.Equal(7, result.FixedSequenceLength);
    }

    [Fact]
    public void SqueezingTheBatchAxisAndGatheringAnEarlyStepAreRefused()
    {
        ModelProto every = OnnxFiles.Fixture("tm_every.onnx");
        NodeProto squeeze = OnnxFiles.NodeOf(every, "Squeeze");
        NodeProto axes = every.Graph.Node.Single(n => n.Output[0] == squeeze.Input[1]);
        axes.Attribute[0].T = OnnxTensorData.Int64Tensor("", [1], [2]);
        AssertNode(Rejected(every, OnnxModelProblem.UnsupportedGraph, "Squeeze of the batch axis of [T, directions, n, h]; only size-1 axes can be squeezed"), squeeze.Name, "Squeeze");

        ModelProto last = TmLast();
        NodeProto gather = last.Graph.Node.Last(n => n.OpType == "Gather");
        NodeProto rnn = Rnn(last);
        gather.Input[0] = rnn.Output[0]; // Y [T, 1, n, h]: index 0 of the time axis is the first step, not the last
        AssertNode(Rejected(last, OnnxModelProblem.UnsupportedGraph, "Gather of index 0 on the time axis of [T, directions, n, h]"), gather.Name, "Gather");
    }

    [Theory]
    [InlineData(6)]
    [InlineData(24)]
    public void OpsetsOutsideTheSupportedRangeAreRefused(int opset)
    {
        ModelProto model = TmLast();
        model.OpsetImport[0].Version = opset;
        Rejected(model, OnnxModelProblem.UnsupportedOpset, $"opset {opset} of the standard operators; opsets 7 to 23 are supported");
    }

    [Fact]
    public void AGraphWithoutRnnIsRefused()
    {
        ModelProto model = TmLast();
        model.Graph.Node.Remove(Rnn(model));
        Rejected(model, OnnxModelProblem.UnsupportedGraph, "the graph has no RNN node");
    }

    [Fact]
    public void AValueDefinedTwiceIsMalformed()
    {
        ModelProto model = TmLast();
        NodeProto gemm = OnnxFiles.NodeOf(model, "Gemm");
        gemm.Output[0] = gemm.Input[0];
        AssertNode(Rejected(model, OnnxModelProblem.Malformed, $"its output '{gemm.Input[0]}' is already defined by the node '/Gather' (Gather)"), GemmNode, "Gemm");
    }

    [Fact]
    public void AGraphOutputThatIsNotComputedFromTheRnnIsRefused()
    {
        ModelProto model = TmLast();
        model.Graph.Output.Add(Value("fc.bias", OnnxTensorData.Float, [2]));
        var error = Rejected(model, OnnxModelProblem.UnsupportedGraph, "graph output 'fc.bias': unsupported graph: it is a constant (initializer 'fc.bias'), not a result of the RNN.");
        Assert.Equal("fc.bias", error.TensorName);
    }

    [Fact]
    public void BadArgumentsAreArgumentExceptions()
    {
        Assert.Throws<ArgumentNullException>(() => OnnxImporter.Import((string)null!));
        Assert.Throws<ArgumentException>(() => OnnxImporter.Import(""));
        Assert.Throws<ArgumentNullException>(() => OnnxImporter.Import((Stream)null!));
        var closed = new MemoryStream();
        closed.Dispose();
        Assert.Throws<ArgumentException>(() => OnnxImporter.Import(closed));
        Assert.Throws<FileNotFoundException>(() => OnnxImporter.Import(Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.onnx")));
        Assert.Throws<UnauthorizedAccessException>(() => OnnxImporter.Import(Path.GetTempPath())); // a directory
    }

    /// <summary>
    /// The schema read here has no recursive message, so only unknown groups (which the parser skips) can nest deeply:
    /// within <see cref="OnnxImporter.MaxNestingDepth"/> they are skipped (this file then has no graph); deeper, the
    /// parser's limit refuses them as malformed instead of recursing on.
    /// </summary>
    [Theory]
    [InlineData(OnnxImporter.MaxNestingDepth - 1, "malformed: the model has no graph.")]
    [InlineData(100_000, "malformed: the file is not a valid ONNX protobuf")]
    public void GroupsNestedDeeperThanTheLimitAreMalformed(int depth, string text)
    {
        // Field 100 of ModelProto (unknown): a start-group tag (wire type 3) depth times, then as many end-group tags.
        byte[] file = [.. Enumerable.Repeat<byte[]>([0xA3, 0x06], depth).SelectMany(b => b), .. Enumerable.Repeat<byte[]>([0xA4, 0x06], depth).SelectMany(b => b)];
        var error = Rejected(file, OnnxModelProblem.Malformed, text);
        Assert.Equal(depth > OnnxImporter.MaxNestingDepth, error.InnerException is InvalidProtocolBufferException);
    }
}
