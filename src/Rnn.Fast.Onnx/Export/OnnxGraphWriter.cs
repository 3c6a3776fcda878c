using Google.Protobuf;
using Rnn.Fast.Onnx.Import;
using Rnn.Fast.Onnx.Protobuf;

namespace Rnn.Fast.Onnx.Export;

/// <summary>Builds the ONNX model <see cref="OnnxExporter"/> writes (its remarks describe the graph).</summary>
internal static class OnnxGraphWriter
{
    /// <summary>The TensorShapeProto dimension names of the symbolic sizes.</summary>
    private const string SequenceLength = "T", BatchSize = "n";

    public static ModelProto Build(RnnModel model, OnnxExportOptions options)
    {
        RnnShape shape = model.Shape;
        int d = shape.InputSize, h = shape.HiddenSize, o = shape.OutputSize;
        // One weight set: CopyParametersTo throws InvalidOperationException when another thread updates the model during
        // the copy, so a graph never holds parts of two. An export is not a hot path; the copy costs 4·P bytes once.
        var snapshot = new float[shape.ParameterCount];
        model.CopyParametersTo(snapshot);
        ReadOnlySpan<float> parameters = snapshot;
        bool everyStep = options.OutputSteps == OutputSteps.EveryStep;
        int opset = options.Opset;

        // ONNX's RNN: H_t = tanh(X_t·Wᵀ + H_{t−1}·Rᵀ + Wb + Rb), so W = Wxhᵀ and R = Whhᵀ; bh goes into Wb, Rb is zero.
        ReadOnlySpan<float> wxh = shape.Wxh(parameters), whh = shape.Whh(parameters);
        var w = new float[h * d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < h; j++) w[j * d + i] = wxh[i * h + j];
        }

        var r = new float[h * h];
        for (int k = 0; k < h; k++)
        {
            for (int j = 0; j < h; j++) r[j * h + k] = whh[k * h + j];
        }

        var b = new float[2 * h];
        shape.Bh(parameters).CopyTo(b);

        var graph = new GraphProto
        {
            Name = "rnn_fast_elman",
            DocString = $"Elman RNN exported by Rnn.Fast.Onnx ({shape}): H_t = tanh(X_t·Wxh + H_(t-1)·Whh + bh), O = H·Who + bo; " +
                $"W = Wxh transposed, R = Whh transposed, B = [bh | 0]; O holds {(everyStep ? "every step's output [T, n, o]" : "the last step's output [n, o]")}.",
        };
        graph.Initializer.Add(OnnxTensorData.FloatTensor("W", [1, h, d], w));
        graph.Initializer.Add(OnnxTensorData.FloatTensor("R", [1, h, h], r));
        graph.Initializer.Add(OnnxTensorData.FloatTensor("B", [1, 2 * h], b));
        graph.Initializer.Add(OnnxTensorData.FloatTensor("Who", [h, o], shape.Who(parameters)));
        graph.Initializer.Add(OnnxTensorData.FloatTensor("bo", [o], shape.Bo(parameters)));

        graph.Input.Add(Tensor(OnnxExporter.InputName, Dimension(SequenceLength), Dimension(BatchSize), Dimension(d)));
        if (options.InitialHiddenInput)
        {
            graph.Input.Add(Tensor(OnnxExporter.InitialHiddenName, Dimension(1), Dimension(BatchSize), Dimension(h)));
        }

        var rnn = new NodeProto { Name = "rnn", OpType = "RNN" };
        rnn.Input.AddRange([OnnxExporter.InputName, "W", "R", "B"]);
        if (options.InitialHiddenInput) rnn.Input.AddRange(["", OnnxExporter.InitialHiddenName]);
        rnn.Output.AddRange([everyStep ? "Y" : "", OnnxExporter.HiddenStateOutputName]);
        rnn.Attribute.Add(new AttributeProto { Name = "hidden_size", Type = AttributeProto.Types.AttributeType.Int, I = h });
        rnn.Attribute.Add(new AttributeProto { Name = "activations", Type = AttributeProto.Types.AttributeType.Strings, Strings = { ByteString.CopyFromUtf8("Tanh") } });
        rnn.Attribute.Add(new AttributeProto { Name = "direction", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("forward") });
        graph.Node.Add(rnn);

        // Drop the direction axis: Y_h [1, n, h] → [n, h] (axis 0), or Y [T, 1, n, h] → [T, n, h] (axis 1).
        string squeezed = everyStep ? "H" : "H_T";
        var squeeze = new NodeProto { Name = "squeeze_direction", OpType = "Squeeze" };
        squeeze.Input.Add(everyStep ? "Y" : OnnxExporter.HiddenStateOutputName);
        squeeze.Output.Add(squeezed);
        long directionAxis = everyStep ? 1 : 0;
        if (opset >= 13)
        {
            graph.Initializer.Add(OnnxTensorData.Int64Tensor("direction_axis", [1], [directionAxis]));
            squeeze.Input.Add("direction_axis");
        }
        else
        {
            squeeze.Attribute.Add(new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { directionAxis } });
        }

        graph.Node.Add(squeeze);
        if (everyStep)
        {
            var matMul = new NodeProto { Name = "output_weights", OpType = "MatMul", Input = { squeezed, "Who" }, Output = { "H_Who" } };
            var add = new NodeProto { Name = "output_bias", OpType = "Add", Input = { "H_Who", "bo" }, Output = { OnnxExporter.OutputName } };
            graph.Node.Add(matMul);
            graph.Node.Add(add);
            graph.Output.Add(Tensor(OnnxExporter.OutputName, Dimension(SequenceLength), Dimension(BatchSize), Dimension(o)));
        }
        else
        {
            var gemm = new NodeProto { Name = "output_layer", OpType = "Gemm", Input = { squeezed, "Who", "bo" }, Output = { OnnxExporter.OutputName } };
            graph.Node.Add(gemm);
            graph.Output.Add(Tensor(OnnxExporter.OutputName, Dimension(BatchSize), Dimension(o)));
        }

        graph.Output.Add(Tensor(OnnxExporter.HiddenStateOutputName, Dimension(1), Dimension(BatchSize), Dimension(h)));

        return new ModelProto
        {
            IrVersion = IrVersionOf(opset),
            ProducerName = "Rnn.Fast.Onnx",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString(3) ?? "",
            Graph = graph,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = opset } },
        };
    }

    /// <summary>The IR version each opset was released with (onnx 1.4: IR 4 and opset 9; 1.5: 5 and 10; 1.6: 6 and
    /// 11; 1.7 to 1.9: IR 7 and opsets 12 to 14), so that every runtime that reads the opset reads the file.</summary>
    private static long IrVersionOf(int opset) => opset switch
    {
        9 => 4,
        10 => 5,
        11 => 6,
        _ => 7,
    };

    private static TensorShapeProto.Types.Dimension Dimension(long size) => new() { DimValue = size };

    private static TensorShapeProto.Types.Dimension Dimension(string symbol) => new() { DimParam = symbol };

    private static ValueInfoProto Tensor(string name, params TensorShapeProto.Types.Dimension[] dimensions)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dimensions);
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = OnnxTensorData.Float, Shape = shape } },
        };
    }
}
