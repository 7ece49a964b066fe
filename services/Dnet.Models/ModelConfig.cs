using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dnet.Inference.Checkpoint;

/// <summary>The architecture fields of a HuggingFace <c>config.json</c> that the engine needs.</summary>
public sealed record ModelConfig
{
    /// <summary>Architectures the engine runs, by <c>model_type</c>.</summary>
    public static readonly IReadOnlySet<string> SupportedModelTypes = new HashSet<string> { "llama", "mistral", "qwen2", "qwen3" };

    /// <summary>llama, mistral, qwen2 or qwen3.</summary>
    public required string ModelType { get; init; }

    /// <summary>hidden_size.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>intermediate_size (SwiGLU width).</summary>
    public required int IntermediateSize { get; init; }

    /// <summary>num_hidden_layers.</summary>
    public required int NumHiddenLayers { get; init; }

    /// <summary>num_attention_heads.</summary>
    public required int NumAttentionHeads { get; init; }

    /// <summary>num_key_value_heads (GQA); equals the head count when absent.</summary>
    public required int NumKeyValueHeads { get; init; }

    /// <summary>head_dim; hidden_size / num_attention_heads when absent.</summary>
    public required int HeadDim { get; init; }

    /// <summary>vocab_size.</summary>
    public required int VocabSize { get; init; }

    /// <summary>rms_norm_eps.</summary>
    public double RmsNormEps { get; init; } = 1e-6;

    /// <summary>rope_theta.</summary>
    public double RopeTheta { get; init; } = 10000;

    /// <summary>rope_scaling, when present.</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>max_position_embeddings.</summary>
    public int MaxPositionEmbeddings { get; init; } = 2048;

    /// <summary>sliding_window (mistral); attention is exact while the context stays within it.</summary>
    public int? SlidingWindow { get; init; }

    /// <summary>tie_word_embeddings: lm_head reuses embed_tokens.</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>q/k/v projections carry a bias (always for qwen2; <c>attention_bias</c> otherwise).</summary>
    public bool AttentionBias { get; init; }

    /// <summary>Per-head RMSNorm of queries and keys before RoPE (qwen3).</summary>
    public bool QkNorm => ModelType == "qwen3";

    /// <summary>Reads <c>config.json</c> from a checkpoint folder.</summary>
    public static ModelConfig Load(string folder)
    {
        string path = System.IO.Path.Combine(folder, "config.json");
        if (!File.Exists(path))
        {
            throw new CheckpointException(path, null, "file not found");
        }
        try
        {
            return Parse(JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new JsonException("not a JSON object"), path);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new CheckpointException(path, null, $"invalid config: {e.Message}", e);
        }
    }

    static ModelConfig Parse(JsonObject json, string path)
    {
        string modelType = json["model_type"]?.GetValue<string>() ?? "";
        if (!SupportedModelTypes.Contains(modelType))
        {
            throw new CheckpointException(path, null, $"unknown model_type '{modelType}' (supported: {string.Join(", ", SupportedModelTypes)})");
        }
        int Required(string key) => json[key]?.GetValue<int>() ?? throw new CheckpointException(path, null, $"missing '{key}'");
        int hidden = Required("hidden_size");
        int heads = Required("num_attention_heads");
        var ropeScaling = json["rope_scaling"] as JsonObject;
        return new ModelConfig
        {
            ModelType = modelType,
            HiddenSize = hidden,
            IntermediateSize = Required("intermediate_size"),
            NumHiddenLayers = Required("num_hidden_layers"),
            NumAttentionHeads = heads,
            NumKeyValueHeads = json["num_key_value_heads"]?.GetValue<int>() ?? heads,
            HeadDim = json["head_dim"]?.GetValue<int>() ?? hidden / heads,
            VocabSize = Required("vocab_size"),
            RmsNormEps = json["rms_norm_eps"]?.GetValue<double>() ?? 1e-6,
            RopeTheta = json["rope_theta"]?.GetValue<double>() ?? 10000,
            RopeScaling = ropeScaling is null ? null : ParseRopeScaling(ropeScaling, path),
            MaxPositionEmbeddings = json["max_position_embeddings"]?.GetValue<int>() ?? 2048,
            // qwen2 configs carry a sliding_window they do not use unless use_sliding_window is true.
            SlidingWindow = json["sliding_window"] is JsonNode window && (json["use_sliding_window"]?.GetValue<bool>() ?? true)
                ? window.GetValue<int>()
                : null,
            TieWordEmbeddings = json["tie_word_embeddings"]?.GetValue<bool>() ?? false,
            AttentionBias = modelType == "qwen2" || (json["attention_bias"]?.GetValue<bool>() ?? false),
        };
    }

    static RopeScaling ParseRopeScaling(JsonObject json, string path)
    {
        string type = (json["rope_type"] ?? json["type"])?.GetValue<string>() ?? "default";
        if (type is not ("default" or "linear" or "llama3"))
        {
            throw new CheckpointException(path, null, $"unsupported rope_scaling type '{type}'");
        }
        return new RopeScaling(
            type,
            json["factor"]?.GetValue<double>() ?? 1,
            json["low_freq_factor"]?.GetValue<double>() ?? 1,
            json["high_freq_factor"]?.GetValue<double>() ?? 4,
            json["original_max_position_embeddings"]?.GetValue<int>() ?? 8192);
    }
}
