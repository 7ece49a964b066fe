using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace Dnet.Inference.Tests;

/// <summary>Damages copies of generated checkpoints in controlled ways.</summary>
static class CheckpointSurgery
{
    /// <summary>Rewrites the safetensors header (JSON edited by <paramref name="edit"/>), keeping the data bytes.</summary>
    public static void EditHeader(string file, Action<JsonObject> edit)
    {
        byte[] bytes = File.ReadAllBytes(file);
        long length = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var header = JsonNode.Parse(bytes.AsSpan(8, (int)length))!.AsObject();
        edit(header);
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        using var output = File.Create(file);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(prefix, padded);
        output.Write(prefix);
        output.Write(json);
        output.Write(Encoding.ASCII.GetBytes(new string(' ', padded - json.Length)));
        output.Write(bytes.AsSpan(8 + (int)length));
    }

    public static void EditConfig(string folder, Action<JsonObject> edit)
    {
        string path = Path.Combine(folder, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
    }
}
