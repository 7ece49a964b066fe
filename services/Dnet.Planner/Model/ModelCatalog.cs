using System.Text.Json.Nodes;
using Dnet.Models;
using Dnet.Planner.Infrastructure;

namespace Dnet.Planner.Model;

/// <summary>A model name (checkpoint folder or generated name) that the planner could not resolve.</summary>
public sealed class ModelNotFoundException(string message) : Exception(message);

/// <summary>
/// Resolves what a plan request names to a model config: an inline config, a generated name, a checkpoint folder on the
/// planner's machine, or else the config.json a shard read from its own copy (the planner needs no copy of a model the
/// shards hold).
/// </summary>
public static class ModelCatalog
{
    public static ModelConfig Resolve(string model, JsonObject? inlineConfig, IReadOnlyList<ShardCopy> copies)
    {
        if (inlineConfig is not null)
        {
            return ModelConfig.Parse(inlineConfig, "config");
        }
        if (GeneratedModelSpec.Known.FirstOrDefault(s => s.Name == model) is { } generated)
        {
            return generated.Config;
        }
        if (Path.IsPathRooted(model) && File.Exists(Path.Combine(model, "config.json")))
        {
            return ModelConfig.Load(model);
        }
        if (copies.FirstOrDefault(c => c.Description.ConfigJson.Length > 0) is { } copy)
        {
            return ModelConfig.Parse(JsonNode.Parse(copy.Description.ConfigJson) as JsonObject
                ?? throw new CheckpointException($"{copy.Endpoint.Node}:{copy.Description.Folder}/config.json", null, "not a JSON object"), $"{copy.Endpoint.Node}:config.json");
        }
        throw new ModelNotFoundException(Directory.Exists(model)
            ? $"model folder '{model}' has no config.json"
            : $"model '{model}' is not a generated model ({string.Join(", ", GeneratedModelSpec.Known.Select(s => s.Name))}) and no member shard has a checkpoint folder of that name or path in its model roots");
    }
}
