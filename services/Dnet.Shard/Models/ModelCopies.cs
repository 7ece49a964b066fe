using Dnet.Contracts.Shards;
using Dnet.Shard.Ring;
using Google.Protobuf;

namespace Dnet.Shard.Models;

/// <summary>
/// This shard's answers about its copies of models: what a copy is (DescribeModel, for the planner's check that every
/// node holds the same model) and its small files (ReadModelFile, for the gateway's tokenizer and chat template).
/// </summary>
public sealed class ModelCopies(ModelLocator locator, ShardIdentity identity, ILogger<ModelCopies> logger)
{
    /// <summary>The files a peer may read: what tokenizing and chat templating need, never weights or anything else.</summary>
    private static readonly HashSet<string> ReadableFiles = ["tokenizer.json", "tokenizer_config.json", "config.json"];

    public ModelDescription Describe(string model)
    {
        var description = new ModelDescription { Node = identity.Node };
        try
        {
            var located = locator.Locate(model);
            description.Found = true;
            description.Kind = located.Kind;
            description.Folder = located.Folder;
            description.Files.Add(ModelDigests.Of(located));
            if (located.Generated is null)
            {
                description.ConfigJson = File.ReadAllText(Path.Combine(located.Folder, "config.json"));
            }
        }
        catch (Exception exception) when (exception is ModelAccessException or NoModelCopyException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            description.Found = false;
            description.Error = exception.Message;
            description.Files.Clear();
        }

        return description;
    }

    public async Task<ModelFile> ReadAsync(string model, string file, CancellationToken cancellationToken)
    {
        if (!ReadableFiles.Contains(file))
        {
            throw new ModelAccessException($"'{file}' is not a file peers may read (only {string.Join(", ", ReadableFiles)})");
        }

        var located = locator.Locate(model);
        var folder = await Task.Run(() => ModelLocator.Materialize(located, new Progress<ModelGeneration.GenerationProgress>(
            p => logger.LogInformation("Generating {Model}: {Progress}", model, p))), cancellationToken);
        var path = Path.Combine(folder, file);
        return File.Exists(path)
            ? new ModelFile { Found = true, Data = ByteString.CopyFrom(await File.ReadAllBytesAsync(path, cancellationToken)) }
            : new ModelFile { Found = false };
    }
}
