using System.Text.Json;
using Dnet.Models;

namespace Dnet.ModelGeneration;

/// <summary>
/// Writes a real HuggingFace-format checkpoint folder (config.json, safetensors, tokenizer files) with seeded
/// random weights, for machines that cannot download models. The same spec gives byte-identical files.
/// </summary>
public static class ModelGenerator
{
    /// <summary>
    /// Changes whenever the generator writes different files for the same spec, so cached folders are regenerated.
    /// </summary>
    public const int FormatVersion = 2;

    /// <summary>Writes <paramref name="spec"/> into <paramref name="folder"/> (created; must not hold a checkpoint).</summary>
    public static void Write(string folder, GeneratedModelSpec spec, IProgress<GenerationProgress>? progress = null)
    {
        Directory.CreateDirectory(folder);
        var plans = TensorPlan.For(spec);
        int elementSize = spec.Dtype.ElementSize();
        long total = plans.Sum(p => p.Elements * elementSize);
        long written = 0;
        void Report(TensorPlan plan)
        {
            written += plan.Elements * elementSize;
            progress?.Report(new GenerationProgress(spec.Name, plan.Name, written, total));
        }

        if (spec.Shards <= 1)
        {
            SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), plans, spec.Dtype, spec.Seed, Report);
        }
        else
        {
            var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
            int perShard = (plans.Count + spec.Shards - 1) / spec.Shards;
            for (int s = 0; s < spec.Shards; s++)
            {
                string name = $"model-{s + 1:D5}-of-{spec.Shards:D5}.safetensors";
                var shard = plans.Skip(s * perShard).Take(perShard).ToList();
                SafetensorsWriter.Write(Path.Combine(folder, name), shard, spec.Dtype, spec.Seed, Report);
                shard.ForEach(p => weightMap[p.Name] = name);
            }
            WriteJson(Path.Combine(folder, "model.safetensors.index.json"), new Dictionary<string, object>
            {
                ["metadata"] = new Dictionary<string, long> { ["total_size"] = total },
                ["weight_map"] = weightMap,
            });
        }
        WriteJson(Path.Combine(folder, "config.json"), Config(spec));
        WriteJson(Path.Combine(folder, "generation_config.json"), new Dictionary<string, int>
        {
            ["bos_token_id"] = GeneratedTokenizerFiles.BosTokenId,
            ["eos_token_id"] = GeneratedTokenizerFiles.EosTokenId,
        });
        GeneratedTokenizerFiles.Write(folder, spec.VocabSize, spec.Seed, spec.SentencePieceTokenizer);
    }

    static Dictionary<string, object?> Config(GeneratedModelSpec spec)
    {
        var config = new Dictionary<string, object?>
        {
            ["architectures"] = new[] { ArchitectureOf(spec.ModelType) },
            ["model_type"] = spec.ModelType,
            ["hidden_size"] = spec.HiddenSize,
            ["intermediate_size"] = spec.IntermediateSize,
            ["num_hidden_layers"] = spec.NumLayers,
            ["num_attention_heads"] = spec.NumHeads,
            ["num_key_value_heads"] = spec.NumKvHeads,
            ["vocab_size"] = spec.VocabSize,
            ["rms_norm_eps"] = spec.RmsNormEps,
            ["rope_theta"] = spec.RopeTheta,
            ["max_position_embeddings"] = spec.MaxPositionEmbeddings,
            ["tie_word_embeddings"] = spec.TieWordEmbeddings,
            ["hidden_act"] = "silu",
            ["bos_token_id"] = GeneratedTokenizerFiles.BosTokenId,
            ["eos_token_id"] = GeneratedTokenizerFiles.EosTokenId,
            ["torch_dtype"] = spec.Dtype.TorchDtypeName(),
        };
        if (spec.HeadDim is int headDim)
        {
            config["head_dim"] = headDim;
        }
        if (spec.RopeScaling is { } scaling)
        {
            config["rope_scaling"] = new Dictionary<string, object>
            {
                ["rope_type"] = scaling.RopeType,
                ["factor"] = scaling.Factor,
                ["low_freq_factor"] = scaling.LowFreqFactor,
                ["high_freq_factor"] = scaling.HighFreqFactor,
                ["original_max_position_embeddings"] = scaling.OriginalMaxPositionEmbeddings,
            };
        }
        return config;
    }

    static string ArchitectureOf(string modelType) => modelType switch
    {
        "mistral" => "MistralForCausalLM",
        "qwen2" => "Qwen2ForCausalLM",
        "qwen3" => "Qwen3ForCausalLM",
        _ => "LlamaForCausalLM",
    };

    static void WriteJson(string path, object value) =>
        File.WriteAllText(path, JsonSerializer.Serialize(value, JsonOptions) + "\n");

    static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
}
