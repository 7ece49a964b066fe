using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Dnet.Contracts.Shards;
using Dnet.ModelGeneration;

namespace Dnet.Shard.Models;

/// <summary>
/// What every copy of a model must share, as SHA-256 digests: config.json, tokenizer.json, tokenizer_config.json, the
/// safetensors index, and each safetensors file's header (names, dtypes, shapes and offsets of every tensor; the
/// weights themselves would take minutes to hash). A generated model is described by its generator version and spec,
/// which determine every byte it generates.
/// </summary>
public static class ModelDigests
{
    private static readonly string[] SharedFiles = ["config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors.index.json"];

    public static IReadOnlyList<ModelFileDigest> Of(LocatedModel model)
    {
        if (model.Generated is { } spec)
        {
            return [Digest("generator", Encoding.UTF8.GetBytes($"generator {ModelGenerator.FormatVersion}\n{spec}"))];
        }

        var digests = SharedFiles
            .Select(name => Path.Combine(model.Folder, name))
            .Where(File.Exists)
            .Select(path => Digest(Path.GetFileName(path), File.ReadAllBytes(path)))
            .ToList();
        digests.AddRange(Directory.EnumerateFiles(model.Folder, "*.safetensors")
            .Select(path => Digest($"{Path.GetFileName(path)} header", Header(path))));
        return [.. digests.OrderBy(d => d.Name, StringComparer.Ordinal)];
    }

    /// <summary>The 8-byte length and the JSON header of a safetensors file.</summary>
    private static byte[] Header(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> length = stackalloc byte[8];
        file.ReadExactly(length);
        var size = BinaryPrimitives.ReadUInt64LittleEndian(length);
        if (size > 100_000_000 || (long)size > file.Length - 8)
        {
            throw new InvalidDataException($"{path} is not a safetensors file (header length {size})");
        }

        var header = new byte[8 + (int)size];
        length.CopyTo(header);
        file.ReadExactly(header.AsSpan(8));
        return header;
    }

    private static ModelFileDigest Digest(string name, byte[] content) =>
        new() { Name = name, Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)) };
}
