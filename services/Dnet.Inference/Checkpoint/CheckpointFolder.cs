using System.Text.Json;
using Dnet.Models;

namespace Dnet.Inference.Checkpoint;

/// <summary>
/// A HuggingFace checkpoint folder: <c>config.json</c> plus either <c>model.safetensors</c> or shards listed in
/// <c>model.safetensors.index.json</c>. Finds which file holds each tensor; headers are parsed lazily, per file.
/// </summary>
public sealed class CheckpointFolder
{
    const string SingleFile = "model.safetensors";
    const string IndexFile = "model.safetensors.index.json";

    readonly Dictionary<string, string> _fileOfTensor;
    readonly Dictionary<string, SafetensorsFile> _openFiles = new(StringComparer.Ordinal);
    readonly string _describedAs;

    CheckpointFolder(string folder, ModelConfig config, Dictionary<string, string> fileOfTensor, string describedAs)
    {
        Folder = folder;
        Config = config;
        _fileOfTensor = fileOfTensor;
        _describedAs = describedAs;
    }

    /// <summary>The folder path.</summary>
    public string Folder { get; }

    /// <summary>The parsed config.json.</summary>
    public ModelConfig Config { get; }

    /// <summary>Opens a folder: reads config.json and the shard index (or the single file's header).</summary>
    public static CheckpointFolder Open(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new CheckpointException(folder, null, "checkpoint folder not found");
        }
        var config = ModelConfig.Load(folder);
        string indexPath = Path.Combine(folder, IndexFile);
        if (File.Exists(indexPath))
        {
            return new CheckpointFolder(folder, config, ReadIndex(indexPath), indexPath);
        }
        string singlePath = Path.Combine(folder, SingleFile);
        if (!File.Exists(singlePath))
        {
            throw new CheckpointException(singlePath, null, $"file not found (and no {IndexFile})");
        }
        var checkpoint = new CheckpointFolder(folder, config, [], singlePath);
        var single = checkpoint.OpenFile(SingleFile);
        foreach (string name in single.Entries.Keys)
        {
            checkpoint._fileOfTensor[name] = SingleFile;
        }
        return checkpoint;
    }

    /// <summary>The header entry of a tensor, checked for a supported dtype and, when given, the expected shape.</summary>
    public (SafetensorsFile File, SafetensorsEntry Entry, TensorDtype Dtype) Find(string tensor, params long[] expectedShape)
    {
        if (!_fileOfTensor.TryGetValue(tensor, out string? fileName))
        {
            throw new CheckpointException(_describedAs, tensor, "missing tensor");
        }
        var file = OpenFile(fileName);
        if (!file.Entries.TryGetValue(tensor, out var entry))
        {
            throw new CheckpointException(file.Path, tensor, "missing tensor (listed in the index but not in the file)");
        }
        if (!TensorDtypes.TryParse(entry.DtypeName, out var dtype))
        {
            throw new CheckpointException(file.Path, tensor, $"unsupported dtype {entry.DtypeName} (supported: F32, BF16, F16)");
        }
        if (!entry.Shape.SequenceEqual(expectedShape))
        {
            throw new CheckpointException(file.Path, tensor,
                $"wrong shape [{string.Join(", ", entry.Shape)}], config.json implies [{string.Join(", ", expectedShape)}]");
        }
        return (file, entry, dtype);
    }

    SafetensorsFile OpenFile(string fileName)
    {
        if (!_openFiles.TryGetValue(fileName, out var file))
        {
            string path = Path.Combine(Folder, fileName);
            if (Path.GetFileName(fileName) != fileName)
            {
                throw new CheckpointException(_describedAs, null, $"shard name '{fileName}' is not a plain file name");
            }
            file = SafetensorsFile.Open(path);
            _openFiles[fileName] = file;
        }
        return file;
    }

    static Dictionary<string, string> ReadIndex(string indexPath)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(indexPath));
            return json.RootElement.GetProperty("weight_map").EnumerateObject()
                .ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            throw new CheckpointException(indexPath, null, $"invalid index: {e.Message}", e);
        }
    }
}
