using System.Text.Json;
using Dnet.Models;

namespace Dnet.Inference.Checkpoint;

/// <summary>One tensor's entry in a safetensors header, with its absolute byte range in the file.</summary>
/// <param name="Name">Tensor name, e.g. <c>model.layers.0.self_attn.q_proj.weight</c>.</param>
/// <param name="DtypeName">Dtype string as written in the header (F32, BF16, ...).</param>
/// <param name="Shape">Dimensions.</param>
/// <param name="Offset">Absolute byte offset of the data in the file.</param>
/// <param name="Length">Byte length of the data.</param>
public sealed record SafetensorsEntry(string Name, string DtypeName, long[] Shape, long Offset, long Length);

/// <summary>
/// A safetensors file's header, parsed and checked against the file length before any tensor is touched:
/// a bad header or truncated file becomes a <see cref="CheckpointException"/>, never a native crash.
/// </summary>
public sealed class SafetensorsFile
{
    const long MaxHeaderBytes = 100L * 1024 * 1024;

    SafetensorsFile(string path, long fileLength, Dictionary<string, SafetensorsEntry> entries)
    {
        Path = path;
        FileLength = fileLength;
        Entries = entries;
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>File length in bytes.</summary>
    public long FileLength { get; }

    /// <summary>Entries by tensor name.</summary>
    public IReadOnlyDictionary<string, SafetensorsEntry> Entries { get; }

    /// <summary>Reads and validates the header of <paramref name="path"/>.</summary>
    public static SafetensorsFile Open(string path)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new CheckpointException(path, null, "file not found");
        }
        using var stream = System.IO.File.OpenRead(path);
        long fileLength = stream.Length;
        Span<byte> prefix = stackalloc byte[8];
        if (stream.Read(prefix) != 8)
        {
            throw new CheckpointException(path, null, "bad header: file shorter than the 8-byte header length");
        }
        long headerLength = BitConverter.ToInt64(prefix);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || headerLength > fileLength - 8)
        {
            throw new CheckpointException(path, null, $"bad header: header length {headerLength} does not fit a file of {fileLength} bytes");
        }
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = 8 + headerLength;
        var entries = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
        try
        {
            using var json = JsonDocument.Parse(header);
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    continue;
                }
                entries[property.Name] = ParseEntry(path, property, dataStart, fileLength);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new CheckpointException(path, null, $"bad header: {e.Message}", e);
        }
        return new SafetensorsFile(path, fileLength, entries);
    }

    static SafetensorsEntry ParseEntry(string path, JsonProperty property, long dataStart, long fileLength)
    {
        var value = property.Value;
        string dtype = value.GetProperty("dtype").GetString() ?? "";
        long[] shape = [.. value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())];
        long[] offsets = [.. value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64())];
        if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || shape.Any(d => d < 0))
        {
            throw new CheckpointException(path, property.Name, "bad header: invalid data_offsets or shape");
        }
        if (dataStart + offsets[1] > fileLength)
        {
            throw new CheckpointException(path, property.Name,
                $"truncated file: data ends at byte {dataStart + offsets[1]} but the file has {fileLength} bytes");
        }
        if (TensorDtypes.TryParse(dtype, out var known) && shape.Aggregate(1L, (a, b) => a * b) * known.ElementSize() != offsets[1] - offsets[0])
        {
            throw new CheckpointException(path, property.Name,
                $"bad header: shape [{string.Join(", ", shape)}] of {dtype} does not match {offsets[1] - offsets[0]} data bytes");
        }
        return new SafetensorsEntry(property.Name, dtype, shape, dataStart + offsets[0], offsets[1] - offsets[0]);
    }
}
