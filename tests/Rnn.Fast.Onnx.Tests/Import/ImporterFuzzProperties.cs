using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Rnn.Fast.Onnx.Protobuf;
using Rnn.Fast.Onnx.Tests.Support;
using Xunit.Abstractions;

namespace Rnn.Fast.Onnx.Tests.Import;

/// <summary>
/// Fuzzing the importer with mutated ONNX files: every import either returns a model — which then exports and
/// re-imports to the same bits — or throws <see cref="InvalidOnnxModelException"/> with a problem kind; nothing else
/// escapes, nothing hangs, and no import allocates more than the file's size allows. Each file is imported from a
/// seekable stream and from an unseekable one (every 8th also from a path), and they must agree.
/// </summary>
/// <remarks>
/// <para>The originals are real torch.onnx.export graphs (four fixtures) and our own exports (both opset families,
/// both output forms, with the initial-state input). Half the mutations work on the bytes (flipped bits, overwritten
/// or inserted bytes, forged varints, truncations, appended bytes), which mostly exercise the protobuf parser and the
/// tensor checks; the other half parse the file, change one thing in the graph (a dimension, an element type, an
/// attribute, an operator, a node's input, the node order, the opset, a declared input) and serialize it again, which
/// reaches the graph analysis.</para>
/// <para>Case count: 12,000, so that at least 10,000 files differ from their original even after the mutations that
/// happen to change nothing; the test asserts that. It takes a few seconds on the 2-core development machine (the
/// output gives the time and each outcome's count); the 120-second limit catches a hang.</para>
/// </remarks>
public sealed class ImporterFuzzProperties(ITestOutputHelper output)
{
    private const int Cases = 12_000;
    private const int RequiredMutatedFiles = 10_000;

    /// <summary>An import may allocate this much besides 64 bytes per byte of the file (the parsed messages, the
    /// decoded tensors, the model and its weight packs all scale with the data the file really holds).</summary>
    private const long AllocationAllowance = 4 * 1024 * 1024;

    private static readonly Lazy<byte[][]> s_originals = new(() =>
    [
        File.ReadAllBytes(PyTorchFixtures.File("tm_last.onnx")),
        File.ReadAllBytes(PyTorchFixtures.File("bf_every.onnx")),
        File.ReadAllBytes(PyTorchFixtures.File("tm_last_h0.onnx")),
        File.ReadAllBytes(PyTorchFixtures.File("tm_every.opset9.onnx")),
        OnnxFiles.Export(new RnnModel(new RnnShape(3, 5, 2), 3UL), new OnnxExportOptions()),
        OnnxFiles.Export(new RnnModel(new RnnShape(2, 4, 3), 4UL), new OnnxExportOptions { Opset = 9, OutputSteps = OutputSteps.EveryStep, InitialHiddenInput = true }),
    ]);

    private static readonly string[] Operators =
        ["Constant", "Identity", "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "ConstantOfShape", "Transpose", "Reshape", "RNN", "Gemm", "MatMul", "Add", "Relu", "LSTM", "Slice"];

    /// <summary>One mutation: which original, which kind, and the seed of its details.</summary>
    public sealed record FuzzCase(int Original, int Kind, int Seed)
    {
        public const int Kinds = 20;

        public override string ToString() => $"original {Original}, mutation {Kind}, seed {Seed}";
    }

    private static readonly Arbitrary<FuzzCase> s_cases = Arb.From(
        from original in Gen.Choose(0, 5)
        from kind in Gen.Choose(0, FuzzCase.Kinds - 1)
        from seed in Gen.Choose(0, int.MaxValue)
        select new FuzzCase(original, kind, seed));

    [Fact]
    public async Task MutatedFilesEitherImportAndRoundTripOrAreRefusedWithTheDocumentedException()
    {
        string folder = Directory.CreateTempSubdirectory("onnx-fuzz-").FullName;
        string path = Path.Combine(folder, "fuzz.onnx");
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        int mutatedFiles = 0, index = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            Task fuzz = Task.Run(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases), Prop.ForAll(s_cases, (FuzzCase c) =>
            {
                byte[] original = s_originals.Value[c.Original];
                byte[] file = Mutate(original, c);
                if (!file.AsSpan().SequenceEqual(original)) mutatedFiles++;
                string outcome = CheckOneFile(file, index++ % 8 == 0 ? path : null, c.ToString());
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            })));
            await fuzz.WaitAsync(TimeSpan.FromSeconds(120));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        string summary = $"{Cases} cases in {clock.Elapsed.TotalSeconds:F1} s; outcomes: " +
            string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"));
        output.WriteLine($"{mutatedFiles} of the files differed from their original; {summary}");
        Assert.True(mutatedFiles >= RequiredMutatedFiles, $"only {mutatedFiles} files differed from their original; {summary}");
        // The fuzz reaches the parser, the tensor checks, the graph analysis and the success path.
        foreach (string expected in (string[])["imported", nameof(OnnxModelProblem.Malformed), nameof(OnnxModelProblem.WrongShape),
            nameof(OnnxModelProblem.WrongDataType), nameof(OnnxModelProblem.InvalidTensorData), nameof(OnnxModelProblem.UnsupportedGraph),
            nameof(OnnxModelProblem.UnsupportedOperator), nameof(OnnxModelProblem.UnsupportedOpset), nameof(OnnxModelProblem.MissingValue)])
        {
            Assert.True(outcomes.GetValueOrDefault(expected) >= 10, $"'{expected}' happened {outcomes.GetValueOrDefault(expected)} times; {summary}");
        }
    }

    /// <summary>Imports the file each way, checks they agree and that a model round-trips; returns "imported" or the problem.</summary>
    private static string CheckOneFile(byte[] file, string? path, string context)
    {
        (OnnxImportResult? result, InvalidOnnxModelException? error) = Import(() => OnnxImporter.Import(new MemoryStream(file, writable: false)), file, context);
        (OnnxImportResult? piped, InvalidOnnxModelException? pipedError) = Import(() => OnnxImporter.Import(new UnseekableStream(file)), file, context);
        Assert.True(error?.Message == pipedError?.Message, $"seekable: '{error?.Message}', unseekable: '{pipedError?.Message}'; {context}");
        if (path is not null)
        {
            File.WriteAllBytes(path, file);
            (_, InvalidOnnxModelException? pathError) = Import(() => OnnxImporter.Import(path), file, context);
            Assert.True(error is null ? pathError is null : pathError?.Message == $"{path}: {error.Message}" && pathError.FilePath == path,
                $"path: '{pathError?.Message}', stream: '{error?.Message}'; {context}");
        }

        if (error is not null)
        {
            Assert.True(error.Problem != OnnxModelProblem.Unspecified, $"no problem kind: {error.Message}; {context}");
            return error.Problem.ToString();
        }

        Assert.Equal(result!.Model.Parameters.ToArray(), piped!.Model.Parameters.ToArray());
        RnnModel model = result.Model;
        OnnxImportResult again = OnnxFiles.Import(OnnxFiles.Export(model, new OnnxExportOptions { OutputSteps = result.OutputSteps }));
        Assert.Equal(model.Shape, again.Shape);
        Assert.Equal(model.Parameters.ToArray().Select(BitConverter.SingleToUInt32Bits), again.Model.Parameters.ToArray().Select(BitConverter.SingleToUInt32Bits));
        Assert.Contains(result.Output, result.Outputs);
        return "imported";
    }

    /// <summary>The import's result or its <see cref="InvalidOnnxModelException"/>; any other exception fails the case.
    /// Also fails an import that allocates more than <see cref="AllocationAllowance"/> plus 64 bytes per file byte.</summary>
    private static (OnnxImportResult?, InvalidOnnxModelException?) Import(Func<OnnxImportResult> import, byte[] file, string context)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        OnnxImportResult? result = null;
        InvalidOnnxModelException? error = null;
        try
        {
            result = import();
        }
        catch (InvalidOnnxModelException caught)
        {
            error = caught;
        }
        catch (Exception other)
        {
            Assert.Fail($"{other.GetType().Name}: {other.Message}; {context}\n{other.StackTrace}");
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= AllocationAllowance + 64L * file.Length, $"an import of {file.Length} bytes allocated {allocated} bytes; {context}");
        return (result, error);
    }

    private static byte[] Mutate(byte[] original, FuzzCase c)
    {
        var random = new Random(c.Seed);
        if (c.Kind < 8) return MutateBytes(original, c.Kind, random);
        ModelProto model = OnnxFiles.Parse(original);
        MutateGraph(model, c.Kind - 8, random);
        return model.ToByteArray();
    }

    private static byte[] MutateBytes(byte[] original, int kind, Random random)
    {
        var bytes = new List<byte>(original);
        switch (kind)
        {
            case 0: // flip 1 to 8 bits
                for (int i = random.Next(1, 9); i > 0; i--) bytes[random.Next(bytes.Count)] ^= (byte)(1 << random.Next(8));
                break;
            case 1: // overwrite 1 to 4 bytes
                for (int i = random.Next(1, 5); i > 0; i--) bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                break;
            case 2: // truncate
                int keep = random.Next(bytes.Count);
                bytes.RemoveRange(keep, bytes.Count - keep);
                break;
            case 3: // cut 1 to 64 bytes out anywhere
                int from = random.Next(bytes.Count);
                bytes.RemoveRange(from, Math.Min(bytes.Count - from, random.Next(1, 65)));
                break;
            case 4: // append 1 to 16 bytes
                for (int i = random.Next(1, 17); i > 0; i--) bytes.Add((byte)random.Next(256));
                break;
            case 5: // insert 1 to 8 bytes
                bytes.InsertRange(random.Next(bytes.Count), Enumerable.Range(0, random.Next(1, 9)).Select(_ => (byte)random.Next(256)));
                break;
            case 6: // a forged varint (a huge length or value) somewhere
                bytes.InsertRange(random.Next(bytes.Count), [0xFF, 0xFF, 0xFF, 0xFF, (byte)random.Next(0x01, 0x10)]);
                break;
            default: // the high bit of a byte set: a varint that runs on
                int at = random.Next(bytes.Count);
                bytes[at] |= 0x80;
                break;
        }

        return [.. bytes];
    }

    private static void MutateGraph(ModelProto model, int kind, Random random)
    {
        GraphProto graph = model.Graph;
        TensorProto? initializer = graph.Initializer.Count > 0 ? graph.Initializer[random.Next(graph.Initializer.Count)] : null;
        NodeProto node = graph.Node[random.Next(graph.Node.Count)];
        long[] sizes = [0, 1, 2, 3, -1, 4, 19, 20, 21, 40, 1 << 20, long.MaxValue];
        switch (kind)
        {
            case 0 when initializer is not null && initializer.Dims.Count > 0: // one dimension
                initializer.Dims[random.Next(initializer.Dims.Count)] = sizes[random.Next(sizes.Length)];
                break;
            case 1 when initializer is not null: // the element type
                initializer.DataType = random.Next(0, 18);
                break;
            case 2: // remove a node
                graph.Node.Remove(node);
                break;
            case 3 when initializer is not null: // remove an initializer
                graph.Initializer.Remove(initializer);
                break;
            case 4: // another operator
                node.OpType = Operators[random.Next(Operators.Length)];
                break;
            case 5 when node.Attribute.Count > 0: // an attribute's value or type
                AttributeProto attribute = node.Attribute[random.Next(node.Attribute.Count)];
                if (random.Next(2) == 0) attribute.I = sizes[random.Next(sizes.Length)];
                else attribute.Type = (AttributeProto.Types.AttributeType)random.Next(0, 15);
                break;
            case 6: // two nodes swap places
                int other = random.Next(graph.Node.Count), here = graph.Node.IndexOf(node);
                (graph.Node[here], graph.Node[other]) = (graph.Node[other], graph.Node[here]);
                break;
            case 7 when node.Input.Count > 0: // an input renamed to another value
                string[] names = [.. graph.Initializer.Select(t => t.Name), .. graph.Input.Select(i => i.Name), .. graph.Node.SelectMany(n => n.Output), "", "nowhere"];
                node.Input[random.Next(node.Input.Count)] = names[random.Next(names.Length)];
                break;
            case 8: // the opset
                model.OpsetImport[0].Version = random.Next(5, 26);
                break;
            case 9: // a declared input's dimension or type
                TypeProto.Types.Tensor? tensor = graph.Input[random.Next(graph.Input.Count)].Type?.TensorType;
                if (tensor is null) break;
                if (random.Next(2) == 0 && tensor.Shape?.Dim.Count > 0) tensor.Shape.Dim[random.Next(tensor.Shape.Dim.Count)].DimValue = sizes[random.Next(sizes.Length)];
                else tensor.ElemType = random.Next(0, 17);
                break;
            case 10 when initializer is not null && initializer.HasRawData && initializer.RawData.Length > 4: // data of another length
                initializer.RawData = ByteString.CopyFrom(initializer.RawData.Span[..(initializer.RawData.Length - 4 * random.Next(1, 3))]);
                break;
            default: // a Constant node's tensor, or a node's attributes, all dropped or doubled
                if (random.Next(2) == 0) node.Attribute.Clear();
                else node.Attribute.Add(node.Attribute);
                break;
        }
    }
}
