using Google.Protobuf;
using Rnn.Fast.Onnx.Import;
using Rnn.Fast.Onnx.Protobuf;

namespace Rnn.Fast.Onnx.Tests.Support;

/// <summary>
/// Builds ONNX models node by node for tests: graphs of forms the exporters we have fixtures from do not write, and
/// broken graphs. (Shared with the parity tests, which run what it builds in ONNX Runtime.)
/// </summary>
internal sealed class OnnxGraphBuilder
{
    public OnnxGraphBuilder(int opset, long irVersion = 7)
    {
        Model = new ModelProto
        {
            IrVersion = irVersion,
            ProducerName = "OnnxGraphBuilder",
            Graph = new GraphProto { Name = "test" },
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = opset } },
        };
    }

    public ModelProto Model { get; }

    public GraphProto Graph => Model.Graph;

    /// <summary>Adds a float32 initializer and returns its name.</summary>
    public string Initializer(string name, long[] dimensions, ReadOnlySpan<float> values)
    {
        Graph.Initializer.Add(OnnxTensorData.FloatTensor(name, dimensions, values));
        return name;
    }

    /// <summary>Adds an int64 initializer and returns its name.</summary>
    public string Integers(string name, long[] dimensions, ReadOnlySpan<long> values)
    {
        Graph.Initializer.Add(OnnxTensorData.Int64Tensor(name, dimensions, values));
        return name;
    }

    /// <summary>Adds a Constant node holding a float32 tensor and returns its output's name.</summary>
    public string FloatConstant(string output, long[] dimensions, ReadOnlySpan<float> values) =>
        Constant(output, OnnxTensorData.FloatTensor("", dimensions, values));

    /// <summary>Adds a Constant node holding an int64 tensor and returns its output's name.</summary>
    public string IntegerConstant(string output, long[] dimensions, ReadOnlySpan<long> values) =>
        Constant(output, OnnxTensorData.Int64Tensor("", dimensions, values));

    private string Constant(string output, TensorProto tensor)
    {
        Node("Constant", [], [output], Tensor("value", tensor));
        return output;
    }

    /// <summary>Adds a node named after its first output.</summary>
    public NodeProto Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"/{opType}/{outputs.FirstOrDefault(o => o.Length > 0) ?? "none"}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return node;
    }

    /// <summary>Declares a float32 graph input; each dimension is a number (long or int) or a symbol (string).</summary>
    public void Input(string name, params object[] dimensions) => Graph.Input.Add(Value(name, OnnxTensorData.Float, dimensions));

    /// <summary>Declares a float32 graph output.</summary>
    public void Output(string name, params object[] dimensions) => Graph.Output.Add(Value(name, OnnxTensorData.Float, dimensions));

    public static ValueInfoProto Value(string name, int elementType, object[] dimensions)
    {
        var shape = new TensorShapeProto();
        foreach (object dimension in dimensions)
        {
            shape.Dim.Add(dimension is string symbol
                ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dimension, System.Globalization.CultureInfo.InvariantCulture) });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType, Shape = shape } } };
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Ints, Ints = { values } };

    public static AttributeProto String(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Strings(string name, params string[] values) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Strings, Strings = { values.Select(ByteString.CopyFromUtf8) } };

    public static AttributeProto Tensor(string name, TensorProto value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };

    public byte[] ToBytes() => Model.ToByteArray();
}
