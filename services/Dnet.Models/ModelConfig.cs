using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dnet.Models;

/// <summary>The architecture fields of a HuggingFace <c>config.json</c> that the engine runs and the planner costs.</summary>
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

    /// <summary>torch_dtype as written (bfloat16, float16, float32); bfloat16 when absent.</summary>
    public string TorchDtype { get; init; } = "bfloat16";

    /// <summary>Per-head RMSNorm of queries and keys before RoPE (qwen3).</summary>
    public bool QkNorm => ModelType == "qwen3";

    /// <summary>Weights of one decoder layer: q, k, v, o (+ q/k/v bias, + q/k norm), gate/up/down and the two RMSNorms.</summary>
    public long ParametersPerLayer()
    {
        long hidden = HiddenSize, q = (long)NumAttentionHeads * HeadDim, kv = (long)NumKeyValueHeads * HeadDim;
        long attention = hidden * q + 2 * hidden * kv + q * hidden + (AttentionBias ? q + 2 * kv : 0) + (QkNorm ? 2L * HeadDim : 0);
        long mlp = 3 * hidden * IntermediateSize;
        return attention + mlp + 2 * hidden;
    }

    /// <summary>Every weight: the layers, embed_tokens, the final norm, and lm_head unless it is tied to embed_tokens.</summary>
    public long TotalParameters()
    {
        long vocabMatrix = (long)VocabSize * HiddenSize;
        return NumHiddenLayers * ParametersPerLayer() + vocabMatrix + HiddenSize + (TieWordEmbeddings ? 0 : vocabMatrix);
    }

    /// <summary>Reads <c>config.json</c> from a checkpoint folder.</summary>
    public static ModelConfig Load(string folder)
    {
        string path = System.IO.Path.Combine(folder, "config.json");
        if (!File.Exists(path))
        {
            throw new CheckpointException(path, null, "file not found");
        }
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new JsonException("not a JSON object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new CheckpointException(path, null, $"invalid config: {e.Message}", e);
        }
        return Parse(json, path);
    }

    /// <summary>
    /// Reads a parsed <c>config.json</c>; <paramref name="file"/> names it in errors (a path, or where an inline config
    /// came from). Errors about one key carry it in <see cref="CheckpointException.Field"/>.
    /// </summary>
    public static ModelConfig Parse(JsonObject json, string file = "config.json")
    {
        try
        {
            return Read(json, file);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new CheckpointException(file, null, $"invalid config: {e.Message}", e);
        }
    }

    static ModelConfig Read(JsonObject json, string file)
    {
        // HuggingFace's own default when a config omits model_type is a Llama.
        string modelType = json["model_type"]?.GetValue<string>() ?? "llama";
        if (!SupportedModelTypes.Contains(modelType))
        {
            throw new CheckpointException(file, null, $"unknown model_type '{modelType}' (supported: {string.Join(", ", SupportedModelTypes)})") { Field = "model_type" };
        }
        int Required(string key) => Positive(json, key, file) ?? throw new CheckpointException(file, null, $"missing '{key}'") { Field = key };
        int hidden = Required("hidden_size");
        int heads = Required("num_attention_heads");
        int kvHeads = Positive(json, "num_key_value_heads", file) ?? heads;
        if (heads % kvHeads != 0)
        {
            throw new CheckpointException(file, null, $"num_attention_heads ({heads}) is not a multiple of num_key_value_heads ({kvHeads})") { Field = "num_key_value_heads" };
        }
        var ropeScaling = json["rope_scaling"] as JsonObject;
        return new ModelConfig
        {
            ModelType = modelType,
            HiddenSize = hidden,
            IntermediateSize = Required("intermediate_size"),
            NumHiddenLayers = Required("num_hidden_layers"),
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = Positive(json, "head_dim", file) ?? hidden / heads,
            VocabSize = Required("vocab_size"),
            RmsNormEps = json["rms_norm_eps"]?.GetValue<double>() ?? 1e-6,
            RopeTheta = json["rope_theta"]?.GetValue<double>() ?? 10000,
            RopeScaling = ropeScaling is null ? null : ParseRopeScaling(ropeScaling, file),
            MaxPositionEmbeddings = Positive(json, "max_position_embeddings", file) ?? 2048,
            // qwen2 configs carry a sliding_window they do not use unless use_sliding_window is true.
            SlidingWindow = json["sliding_window"] is JsonNode window && (json["use_sliding_window"]?.GetValue<bool>() ?? true)
                ? window.GetValue<int>()
                : null,
            TieWordEmbeddings = json["tie_word_embeddings"]?.GetValue<bool>() ?? false,
            AttentionBias = modelType == "qwen2" || (json["attention_bias"]?.GetValue<bool>() ?? false),
            TorchDtype = json["torch_dtype"]?.GetValue<string>() ?? "bfloat16",
        };
    }

    /// <summary>The key's value when present; a value that is not a positive integer is an error naming the key.</summary>
    static int? Positive(JsonObject json, string key, string file)
    {
        if (json[key] is not JsonValue value)
        {
            return null;
        }
        return value.TryGetValue(out int number) && number > 0
            ? number
            : throw new CheckpointException(file, null, $"'{key}' must be a positive integer, got {value.ToJsonString()}") { Field = key };
    }

    static RopeScaling ParseRopeScaling(JsonObject json, string file)
    {
        string type = (json["rope_type"] ?? json["type"])?.GetValue<string>() ?? "default";
        if (type is not ("default" or "linear" or "llama3"))
        {
            throw new CheckpointException(file, null, $"unsupported rope_scaling type '{type}'") { Field = "rope_scaling" };
        }
        return new RopeScaling(
            type,
            json["factor"]?.GetValue<double>() ?? 1,
            json["low_freq_factor"]?.GetValue<double>() ?? 1,
            json["high_freq_factor"]?.GetValue<double>() ?? 4,
            json["original_max_position_embeddings"]?.GetValue<int>() ?? 8192);
    }
}
