using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dnet.Planner.Model;

/// <summary>Reads the cost-relevant fields of a HuggingFace Llama-family <c>config.json</c>.</summary>
public static class ModelConfigReader
{
    public static readonly IReadOnlySet<string> SupportedModelTypes = new HashSet<string> { "llama", "mistral", "qwen2", "qwen3" };

    public static ModelShape Load(string path)
    {
        try
        {
            return Parse(JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new ModelConfigException($"{path} is not a JSON object"));
        }
        catch (JsonException e)
        {
            throw new ModelConfigException($"{path} is not valid JSON: {e.Message}");
        }
    }

    public static ModelShape Parse(JsonObject json)
    {
        string modelType = String(json, "model_type") ?? "llama";
        if (!SupportedModelTypes.Contains(modelType))
        {
            throw new ModelConfigException(
                $"unsupported model_type '{modelType}' (supported: {string.Join(", ", SupportedModelTypes)})", "model_type");
        }
        int hidden = Positive(json, "hidden_size");
        int heads = Positive(json, "num_attention_heads");
        int kvHeads = OptionalPositive(json, "num_key_value_heads") ?? heads;
        if (heads % kvHeads != 0)
        {
            throw new ModelConfigException($"num_attention_heads ({heads}) is not a multiple of num_key_value_heads ({kvHeads})", "num_key_value_heads");
        }
        return new ModelShape
        {
            ModelType = modelType,
            HiddenSize = hidden,
            IntermediateSize = Positive(json, "intermediate_size"),
            NumHiddenLayers = Positive(json, "num_hidden_layers"),
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = OptionalPositive(json, "head_dim") ?? hidden / heads,
            VocabSize = Positive(json, "vocab_size"),
            TieWordEmbeddings = Bool(json, "tie_word_embeddings") ?? false,
            TorchDtype = String(json, "torch_dtype") ?? "bfloat16",
            MaxPositionEmbeddings = OptionalPositive(json, "max_position_embeddings") ?? 2048,
            AttentionBias = modelType == "qwen2" || (Bool(json, "attention_bias") ?? false),
            QkNorm = modelType == "qwen3",
        };
    }

    private static int Positive(JsonObject json, string key) =>
        OptionalPositive(json, key) ?? throw new ModelConfigException($"config.json is missing '{key}'", key);

    private static int? OptionalPositive(JsonObject json, string key)
    {
        if (json[key] is not JsonValue value)
        {
            return null;
        }
        return value.TryGetValue(out int number) && number > 0
            ? number
            : throw new ModelConfigException($"'{key}' must be a positive integer, got {value.ToJsonString()}", key);
    }

    private static string? String(JsonObject json, string key) =>
        json[key] is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    private static bool? Bool(JsonObject json, string key) =>
        json[key] is JsonValue value && value.TryGetValue(out bool flag) ? flag : null;
}
