using System.Text.Json.Nodes;
using Dnet.Models;

namespace Dnet.Planner.Model;

/// <summary>A model name (checkpoint folder or generated name) that the planner could not resolve.</summary>
public sealed class ModelNotFoundException(string message) : Exception(message);

/// <summary>Resolves what a plan request names to a model config: an inline config, a checkpoint folder, or a generated name.</summary>
public static class ModelCatalog
{
    public static ModelConfig Resolve(string model, JsonObject? inlineConfig)
    {
        if (inlineConfig is not null)
        {
            return ModelConfig.Parse(inlineConfig, "config");
        }
        if (GeneratedModelSpec.Known.FirstOrDefault(s => s.Name == model) is { } generated)
        {
            return generated.Config;
        }
        if (File.Exists(Path.Combine(model, "config.json")))
        {
            return ModelConfig.Load(model);
        }
        throw new ModelNotFoundException(Directory.Exists(model)
            ? $"model folder '{model}' has no config.json"
            : $"model '{model}' is neither a checkpoint folder with config.json nor a generated model ({string.Join(", ", GeneratedModelSpec.Known.Select(s => s.Name))})");
    }
}
