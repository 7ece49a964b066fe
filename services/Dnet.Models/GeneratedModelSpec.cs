namespace Dnet.Models;

/// <summary>Shape, dtype and seed of a generated checkpoint (random weights, real format).</summary>
public sealed record GeneratedModelSpec
{
    /// <summary>Folder/model name, e.g. dnet-tiny.</summary>
    public required string Name { get; init; }

    /// <summary>llama, mistral, qwen2 (q/k/v bias) or qwen3 (q/k norm).</summary>
    public string ModelType { get; init; } = "llama";

    /// <summary>num_hidden_layers.</summary>
    public required int NumLayers { get; init; }

    /// <summary>hidden_size.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>num_attention_heads.</summary>
    public required int NumHeads { get; init; }

    /// <summary>num_key_value_heads.</summary>
    public required int NumKvHeads { get; init; }

    /// <summary>head_dim; written to config.json only when set.</summary>
    public int? HeadDim { get; init; }

    /// <summary>intermediate_size.</summary>
    public required int IntermediateSize { get; init; }

    /// <summary>vocab_size (also the generated tokenizer's size).</summary>
    public required int VocabSize { get; init; }

    /// <summary>
    /// A SentencePiece-style tokenizer as Llama 2 and Mistral ship (byte fallback, '▁' for spaces, &lt;s&gt; and
    /// &lt;/s&gt;, the Mistral [INST] chat template) instead of the default SmolLM2-style byte-level BPE with ChatML.
    /// </summary>
    public bool SentencePieceTokenizer { get; init; }

    /// <summary>tie_word_embeddings.</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>rope_theta.</summary>
    public double RopeTheta { get; init; } = 10000;

    /// <summary>rope_scaling (e.g. llama3), written when set.</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>max_position_embeddings.</summary>
    public int MaxPositionEmbeddings { get; init; } = 2048;

    /// <summary>rms_norm_eps.</summary>
    public double RmsNormEps { get; init; } = 1e-5;

    /// <summary>File dtype.</summary>
    public TensorDtype Dtype { get; init; } = TensorDtype.BFloat16;

    /// <summary>Number of safetensors shards (1 = model.safetensors, more = index + model-0000i-of-0000n).</summary>
    public int Shards { get; init; } = 1;

    /// <summary>RNG seed: the same spec always gives byte-identical files.</summary>
    public ulong Seed { get; init; } = 1234;

    /// <summary>Effective head_dim.</summary>
    public int ResolvedHeadDim => HeadDim ?? HiddenSize / NumHeads;

    /// <summary>The config.json this spec generates, as read back: how the planner costs a generated model without generating it.</summary>
    public ModelConfig Config => new()
    {
        ModelType = ModelType,
        HiddenSize = HiddenSize,
        IntermediateSize = IntermediateSize,
        NumHiddenLayers = NumLayers,
        NumAttentionHeads = NumHeads,
        NumKeyValueHeads = NumKvHeads,
        HeadDim = ResolvedHeadDim,
        VocabSize = VocabSize,
        RmsNormEps = RmsNormEps,
        RopeTheta = RopeTheta,
        RopeScaling = RopeScaling,
        MaxPositionEmbeddings = MaxPositionEmbeddings,
        TieWordEmbeddings = TieWordEmbeddings,
        AttentionBias = ModelType == "qwen2",
        TorchDtype = Dtype.TorchDtypeName(),
    };

    /// <summary>A 4-layer llama (hidden 64, 4 heads, 2 KV heads, vocab 512): small and fast, f32 file.</summary>
    public static GeneratedModelSpec DnetTiny { get; } = new()
    {
        Name = "dnet-tiny",
        NumLayers = 4,
        HiddenSize = 64,
        NumHeads = 4,
        NumKvHeads = 2,
        IntermediateSize = 172,
        VocabSize = 512,
        RopeTheta = 10000,
        MaxPositionEmbeddings = 2048,
        Dtype = TensorDtype.Float32,
    };

    /// <summary>dnet-tiny's shape as a Mistral checkpoint: model_type mistral and a Mistral-style SentencePiece tokenizer.</summary>
    public static GeneratedModelSpec DnetTinyMistral { get; } = DnetTiny with
    {
        Name = "dnet-tiny-mistral",
        ModelType = "mistral",
        SentencePieceTokenizer = true,
    };

    /// <summary>SmolLM2-135M's exact shape with random weights, bf16 file, tied embeddings.</summary>
    public static GeneratedModelSpec DnetBench135M { get; } = new()
    {
        Name = "dnet-bench-135m",
        NumLayers = 30,
        HiddenSize = 576,
        NumHeads = 9,
        NumKvHeads = 3,
        IntermediateSize = 1536,
        VocabSize = 49152,
        TieWordEmbeddings = true,
        RopeTheta = 100000,
        MaxPositionEmbeddings = 8192,
        Dtype = TensorDtype.BFloat16,
    };

    /// <summary>The generated models that can be asked for by name.</summary>
    public static IReadOnlyList<GeneratedModelSpec> Known { get; } = [DnetTiny, DnetTinyMistral, DnetBench135M];
}
