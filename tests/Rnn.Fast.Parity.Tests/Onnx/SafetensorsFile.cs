using System.Buffers.Binary;
using System.Text.Json;

namespace Rnn.Fast.Parity.Tests.Onnx;

/// <summary>
/// The F32 tensors of a safetensors file (the fixtures' torch state_dicts): an 8-byte little-endian header length,
/// that many bytes of JSON giving each tensor's dtype, shape and data_offsets in the data that follows. Just enough to
/// read the fixtures, written from the format's description; it shares no code with Rnn.Fast.Onnx.
/// </summary>
internal static class SafetensorsFile
{
    public static Dictionary<string, float[]> ReadFloats(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        using JsonDocument header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (JsonProperty tensor in header.RootElement.EnumerateObject())
        {
            if (tensor.Name == "__metadata__") continue;
            Assert.Equal("F32", tensor.Value.GetProperty("dtype").GetString());
            JsonElement offsets = tensor.Value.GetProperty("data_offsets");
            int begin = 8 + headerLength + offsets[0].GetInt32(), end = 8 + headerLength + offsets[1].GetInt32();
            var values = new float[(end - begin) / 4];
            for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(begin + 4 * i));
            tensors[tensor.Name] = values;
        }

        return tensors;
    }
}
