using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Rnn.Fast.Onnx.Protobuf;
using Rnn.Fast.Onnx.Tests.Support;

namespace Rnn.Fast.Onnx.Tests.Export;

/// <summary>
/// Ours → ONNX → ours is bit-exact: every parameter comes back with the same bits (NaN payloads, −0, subnormals and
/// infinities included) at every opset, for both output forms, with and without the initial-state input, and the
/// import reports the graph the export wrote. (That ONNX Runtime computes our outputs from the exported graph is
/// checked in the parity tests.)
/// </summary>
public sealed class ExportRoundTripProperties
{
    /// <summary>A model with parameters of awkward bits, and the export options.</summary>
    public sealed record Case(int InputSize, int HiddenSize, int OutputSize, int Seed, int Opset, OutputSteps Steps, bool InitialHidden)
    {
        public RnnShape Shape => new(InputSize, HiddenSize, OutputSize);

        public OnnxExportOptions Options => new() { Opset = Opset, OutputSteps = Steps, InitialHiddenInput = InitialHidden };

        /// <summary>Mostly ordinary values, with one in eight replaced by an edge value (seeded, so a case replays).</summary>
        public float[] Parameters()
        {
            var random = new Random(Seed);
            uint[] edges = [0x80000000, 0x00000001, 0x807FFFFF, 0x7F800000, 0xFF800000, 0x7FC00001, 0xFFBADBAD, 0x7F7FFFFF, 0x00800000];
            var values = new float[Shape.ParameterCount];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = random.Next(8) == 0
                    ? BitConverter.UInt32BitsToSingle(edges[random.Next(edges.Length)])
                    : (float)(2 * random.NextDouble() - 1);
            }

            return values;
        }
    }

    /// <summary>d 1..12, h 1..24, o 1..8 (d and o independent, so mostly different), every opset, both forms.</summary>
    public static Arbitrary<Case> Cases() => Arb.From(
        from d in Gen.Choose(1, 12)
        from h in Gen.Choose(1, 24)
        from o in Gen.Choose(1, 8)
        from seed in Gen.Choose(0, int.MaxValue)
        from opset in Gen.Choose(OnnxExporter.MinimumOpset, OnnxExporter.MaximumOpset)
        from every in Gen.Elements(false, true)
        from initial in Gen.Elements(false, true)
        select new Case(d, h, o, seed, opset, every ? OutputSteps.EveryStep : OutputSteps.LastStep, initial));

    /// <summary>300 cases: each exports and imports a model of at most a few thousand parameters in well under a
    /// millisecond, and 300 cover every opset × output form × initial-state combination many times over.</summary>
    [Property(MaxTest = 300, Arbitrary = [typeof(ExportRoundTripProperties)])]
    public void ExportThenImportGivesBackEveryParameterBitForBitAndTheGraphsForm(Case c)
    {
        float[] parameters = c.Parameters();
        var model = new RnnModel(c.Shape, parameters);
        byte[] file = OnnxFiles.Export(model, c.Options);

        OnnxImportResult result = OnnxFiles.Import(file);

        Assert.Equal(c.Shape, result.Shape);
        Assert.Equal(parameters.Select(BitConverter.SingleToUInt32Bits), result.Model.Parameters.ToArray().Select(BitConverter.SingleToUInt32Bits));
        Assert.Equal(c.Opset, result.Opset);
        Assert.Equal(c.Opset switch { 9 => 4L, 10 => 5L, 11 => 6L, _ => 7L }, result.IrVersion);
        Assert.Equal("Rnn.Fast.Onnx", result.ProducerName);
        Assert.Equal(OnnxExporter.InputName, result.InputName);
        Assert.Equal(OnnxSequenceLayout.TimeMajor, result.InputLayout);
        Assert.Equal(c.Steps, result.OutputSteps);
        Assert.Equal(OnnxExporter.OutputName, result.Output.Name);
        Assert.Equal(c.Steps == OutputSteps.LastStep ? [OnnxAxis.Batch, OnnxAxis.Feature] : [OnnxAxis.Time, OnnxAxis.Batch, OnnxAxis.Feature], result.Output.Axes);
        OnnxGraphOutput state = result.Outputs.Single(o => o.Role == OnnxOutputRole.HiddenState);
        Assert.Equal(OnnxExporter.HiddenStateOutputName, state.Name);
        Assert.Equal([OnnxAxis.Direction, OnnxAxis.Batch, OnnxAxis.Feature], state.Axes);
        Assert.Equal(c.InitialHidden, result.TakesInitialHidden);
        Assert.Equal(c.InitialHidden ? OnnxInitialState.GraphInput : OnnxInitialState.Zero, result.InitialState);
        Assert.True(result.HasOutputLayer);
        Assert.Equal(["W", "R", "B", "Who", "bo"], result.Parameters.Select(p => p.TensorName));

        // The export is a function of the model and the options: exporting the imported model gives the same bytes.
        Assert.Equal(file, OnnxFiles.Export(result.Model, c.Options));
    }

    [Theory]
    [InlineData(9)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    public void BeforeOpset13SqueezeTakesItsAxesAsAnAttributeAndFrom13AsAnInput(int opset)
    {
        ModelProto model = OnnxFiles.Parse(OnnxFiles.Export(new RnnModel(new RnnShape(2, 3, 4), 1UL), new OnnxExportOptions { Opset = opset }));
        NodeProto squeeze = OnnxFiles.NodeOf(model, "Squeeze");
        Assert.Equal(opset >= 13 ? 2 : 1, squeeze.Input.Count);
        Assert.Equal(opset >= 13 ? 0 : 1, squeeze.Attribute.Count);
        Assert.Equal(["RNN", "Squeeze", "Gemm"], model.Graph.Node.Select(n => n.OpType));
    }

    [Fact]
    public void TheExportedGraphHoldsTheTransposedWeightsAndBhAsTheInputBias()
    {
        var shape = new RnnShape(2, 3, 1);
        float[] parameters = [.. Enumerable.Range(1, shape.ParameterCount).Select(i => (float)i)];
        ModelProto model = OnnxFiles.Parse(OnnxFiles.Export(new RnnModel(shape, parameters), new OnnxExportOptions()));
        static float[] Values(TensorProto t) => [.. Enumerable.Range(0, t.RawData.Length / 4).Select(i => BitConverter.ToSingle(t.RawData.Span[(4 * i)..]))];

        // Wxh = [[1 2 3] [4 5 6]] (2×3) → W[0] = Wxhᵀ; Whh = [[7 8 9] [10 11 12] [13 14 15]] → R[0] = Whhᵀ; bh = 16 17 18.
        Assert.Equal([1, 4, 2, 5, 3, 6], Values(OnnxFiles.InitializerOf(model, "W")));
        Assert.Equal([7, 10, 13, 8, 11, 14, 9, 12, 15], Values(OnnxFiles.InitializerOf(model, "R")));
        Assert.Equal([16, 17, 18, 0, 0, 0], Values(OnnxFiles.InitializerOf(model, "B")));
        Assert.Equal([19, 20, 21], Values(OnnxFiles.InitializerOf(model, "Who")));
        Assert.Equal([22], Values(OnnxFiles.InitializerOf(model, "bo")));
        Assert.Equal([1L, 3, 2], OnnxFiles.InitializerOf(model, "W").Dims);
    }

    [Fact]
    public void ExportingToAPathReplacesTheFileAtomicallyAndLeavesNoTemporaryFile()
    {
        string folder = Directory.CreateTempSubdirectory("onnx-export-").FullName;
        try
        {
            string path = Path.Combine(folder, "model.onnx");
            File.WriteAllText(path, "old");
            var model = new RnnModel(new RnnShape(3, 4, 2), 5UL);
            OnnxExporter.Export(model, path, new OnnxExportOptions { Opset = 9, OutputSteps = OutputSteps.EveryStep });
            Assert.Equal([path], Directory.GetFiles(folder));
            Assert.Equal(OnnxFiles.Export(model, new OnnxExportOptions { Opset = 9, OutputSteps = OutputSteps.EveryStep }), File.ReadAllBytes(path));
            OnnxExporter.Export(model, path);
            Assert.Equal(14, OnnxImporter.Import(path).Opset);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void BadArgumentsAreRefusedBeforeAnythingIsWritten()
    {
        var model = new RnnModel(new RnnShape(1, 2, 1), 1UL);
        var stream = new MemoryStream();
        Assert.Throws<ArgumentNullException>(() => OnnxExporter.Export(null!, stream));
        Assert.Throws<ArgumentNullException>(() => OnnxExporter.Export(model, (Stream)null!));
        Assert.Throws<ArgumentNullException>(() => OnnxExporter.Export(model, stream, null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExporter.Export(model, stream, new OnnxExportOptions { Opset = 8 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExporter.Export(model, stream, new OnnxExportOptions { Opset = 15 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExporter.Export(model, stream, new OnnxExportOptions { OutputSteps = (OutputSteps)7 }));
        Assert.Equal(0, stream.Length);
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, new MemoryStream([], writable: false)));
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, ""));
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, Path.GetTempPath()));
    }
}
