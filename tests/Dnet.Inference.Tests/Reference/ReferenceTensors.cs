using System.Buffers.Binary;
using System.Text.Json;

namespace Dnet.Inference.Tests.Reference;

/// <summary>A deliberately separate, minimal safetensors reader: every tensor decoded to float[] (F32, BF16, F16).</summary>
sealed class ReferenceTensors
{
    readonly byte[] _file;
    readonly JsonElement _header;
    readonly long _dataStart;

    public ReferenceTensors(string path)
    {
        _file = File.ReadAllBytes(path);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(_file);
        _header = JsonDocument.Parse(_file.AsMemory(8, (int)headerLength)).RootElement;
        _dataStart = 8 + headerLength;
    }

    public bool Contains(string name) => _header.TryGetProperty(name, out _);

    public float[] Get(string name)
    {
        var entry = _header.GetProperty(name);
        string dtype = entry.GetProperty("dtype").GetString()!;
        var offsets = entry.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var bytes = _file.AsSpan((int)(_dataStart + offsets[0]), (int)(offsets[1] - offsets[0]));
        int size = dtype == "F32" ? 4 : 2;
        var values = new float[bytes.Length / size];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = dtype switch
            {
                "F32" => BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]),
                "BF16" => BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16),
                "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]),
                _ => throw new NotSupportedException(dtype),
            };
        }
        return values;
    }
}
