using System.Buffers.Binary;
using Google.Protobuf;
using Rnn.Fast.Onnx.Protobuf;

namespace Rnn.Fast.Onnx.Import;

/// <summary>
/// Reads the elements of a <see cref="TensorProto"/>, from raw_data (little-endian) or the typed field, after checking
/// its shape, element type and storage: the element count the dimensions announce must match the data the message
/// really holds before an array of that count is allocated.
/// </summary>
internal static class OnnxTensorData
{
    /// <summary>The TensorProto.DataType codes read here.</summary>
    public const int Float = 1, Int32 = 6, Int64 = 7;

    /// <summary>Reports a problem of the tensor being read; the caller adds where it is.</summary>
    public delegate InvalidOnnxModelException Failure(OnnxModelProblem problem, string text);

    /// <summary>The tensor's dimensions.</summary>
    public static long[] Dimensions(TensorProto tensor) => [.. tensor.Dims];

    /// <summary>The float32 elements, row-major.</summary>
    public static float[] Floats(TensorProto tensor, Failure fail)
    {
        int count = CheckedCount(tensor, Float, fail);
        bool typed = tensor.FloatData.Count > 0;
        CheckStorage(tensor, typed, count, sizeof(float), fail);
        if (typed) return [.. tensor.FloatData];
        var values = new float[count];
        ReadOnlySpan<byte> raw = tensor.RawData.Span;
        for (int i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * sizeof(float))..]);
        return values;
    }

    /// <summary>The integer elements of an INT64 or INT32 tensor, row-major.</summary>
    public static long[] Integers(TensorProto tensor, Failure fail)
    {
        int type = tensor.DataType;
        if (type != Int64 && type != Int32)
        {
            throw fail(OnnxModelProblem.WrongDataType, $"wrong data type: expected int64 or int32, found {TypeName(type)}.");
        }

        int count = CheckedCount(tensor, type, fail);
        bool typed = type == Int64 ? tensor.Int64Data.Count > 0 : tensor.Int32Data.Count > 0;
        CheckStorage(tensor, typed, count, type == Int64 ? sizeof(long) : sizeof(int), fail);
        var values = new long[count];
        ReadOnlySpan<byte> raw = tensor.RawData.Span;
        for (int i = 0; i < count; i++)
        {
            values[i] = type == Int64
                ? typed ? tensor.Int64Data[i] : BinaryPrimitives.ReadInt64LittleEndian(raw[(i * sizeof(long))..])
                : typed ? tensor.Int32Data[i] : BinaryPrimitives.ReadInt32LittleEndian(raw[(i * sizeof(int))..]);
        }

        return values;
    }

    /// <summary>A float32 tensor with its elements in raw_data, bit for bit.</summary>
    public static TensorProto FloatTensor(string name, long[] dimensions, ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        var tensor = new TensorProto { Name = name, DataType = Float, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dimensions);
        return tensor;
    }

    /// <summary>An int64 tensor with its elements in raw_data.</summary>
    public static TensorProto Int64Tensor(string name, long[] dimensions, ReadOnlySpan<long> values)
    {
        var bytes = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
        var tensor = new TensorProto { Name = name, DataType = Int64, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dimensions);
        return tensor;
    }

    /// <summary>The specification's name of an element type code.</summary>
    public static string TypeName(int dataType) => dataType switch
    {
        0 => "UNDEFINED",
        1 => "float32 (FLOAT)",
        2 => "UINT8",
        3 => "INT8",
        4 => "UINT16",
        5 => "INT16",
        6 => "int32 (INT32)",
        7 => "int64 (INT64)",
        8 => "STRING",
        9 => "BOOL",
        10 => "FLOAT16",
        11 => "DOUBLE",
        12 => "UINT32",
        13 => "UINT64",
        14 => "COMPLEX64",
        15 => "COMPLEX128",
        16 => "BFLOAT16",
        _ => $"type code {dataType}",
    };

    /// <summary>
    /// Checks where the data is and the element type, and returns the element count of the dimensions, at most the
    /// largest array; the count is not yet checked against the data.
    /// </summary>
    private static int CheckedCount(TensorProto tensor, int expectedType, Failure fail)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External || tensor.ExternalData.Count > 0)
        {
            string location = tensor.ExternalData.FirstOrDefault(e => e.Key == "location")?.Value ?? "?";
            throw fail(OnnxModelProblem.InvalidTensorData,
                $"invalid tensor data: the elements are in an external file ('{location}'), which is not supported; save the model with every tensor inside the .onnx file.");
        }

        if (tensor.Segment is not null)
        {
            throw fail(OnnxModelProblem.InvalidTensorData, "invalid tensor data: the tensor is stored in segments, which is not supported.");
        }

        if (tensor.DataType != expectedType)
        {
            throw fail(OnnxModelProblem.WrongDataType, $"wrong data type: expected {TypeName(expectedType)}, found {TypeName(tensor.DataType)}.");
        }

        long count = 1;
        foreach (long dimension in tensor.Dims)
        {
            if (dimension < 0)
            {
                throw fail(OnnxModelProblem.WrongShape, $"wrong shape: dimension {dimension} in {OnnxErrors.Shape(tensor.Dims)} is negative.");
            }

            // Both factors are at most Array.MaxLength < 2^31 here, so the product fits in a long.
            count *= dimension;
            if (count > Array.MaxLength)
            {
                throw fail(OnnxModelProblem.TooLarge, $"too large: the shape {OnnxErrors.Shape(tensor.Dims)} has more elements than one array holds ({Array.MaxLength}).");
            }
        }

        return (int)count;
    }

    /// <summary>Checks that exactly one of raw_data and the typed field holds exactly <paramref name="count"/> elements.</summary>
    private static void CheckStorage(TensorProto tensor, bool typed, int count, int elementSize, Failure fail)
    {
        int typedFields = (tensor.FloatData.Count > 0 ? 1 : 0) + (tensor.Int32Data.Count > 0 ? 1 : 0) +
            (tensor.Int64Data.Count > 0 ? 1 : 0) + (tensor.DoubleData.Count > 0 ? 1 : 0);
        bool raw = tensor.HasRawData;
        if (typedFields > (typed ? 1 : 0) || (raw && typed))
        {
            throw fail(OnnxModelProblem.InvalidTensorData, "invalid tensor data: the elements are in more than one field, or in a field of another element type.");
        }

        long held = raw ? tensor.RawData.Length / elementSize : typed ? TypedCount(tensor) : 0;
        if (raw && tensor.RawData.Length % elementSize != 0 || held != count)
        {
            string found = raw ? $"raw_data holds {tensor.RawData.Length} bytes" : typed ? $"the typed field holds {held} elements" : "it holds no data";
            throw fail(OnnxModelProblem.InvalidTensorData,
                $"invalid tensor data: the shape {OnnxErrors.Shape(tensor.Dims)} has {count} elements ({(long)count * elementSize} bytes), but {found}.");
        }
    }

    private static long TypedCount(TensorProto tensor) =>
        tensor.FloatData.Count + tensor.Int32Data.Count + tensor.Int64Data.Count + tensor.DoubleData.Count;
}
