using System.Text.Json.Nodes;

namespace Dnet.Planner.Model;

/// <summary>A model name (checkpoint folder or generated name) that the planner could not resolve.</summary>
public sealed class ModelNotFoundException(string message) : Exception(message);

/// <summary>Resolves what a plan request names to a model shape: an inline config, a checkpoint folder, or a generated name.</summary>
public static class ModelCatalog
{
    public static ModelShape Resolve(string model, JsonObject? inlineConfig)
    {
        if (inlineConfig is not null)
        {
            return ModelConfigReader.Parse(inlineConfig);
        }
        if (GeneratedModels.ByName.TryGetValue(model, out var generated))
        {
            return generated;
        }
        string configPath = Path.Combine(model, "config.json");
        if (File.Exists(configPath))
        {
            return ModelConfigReader.Load(configPath);
        }
        throw new ModelNotFoundException(Directory.Exists(model)
            ? $"model folder '{model}' has no config.json"
            : $"model '{model}' is neither a checkpoint folder with config.json nor a generated model ({string.Join(", ", GeneratedModels.ByName.Keys)})");
    }
}
