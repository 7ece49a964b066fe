using Dnet.Inference.Checkpoint;
using Dnet.Models;
using static TorchSharp.torch;

namespace Dnet.Inference.Model;

/// <summary>
/// The tensors one slice needs and nothing else: its layers, plus embed_tokens on the first slice and
/// norm + lm_head (or the tied embeddings) on the last. Every shape is checked against config.json.
/// </summary>
sealed class SliceWeights : IDisposable
{
    public Tensor? EmbedTokens { get; private init; }

    public required LayerWeights[] Layers { get; init; }

    public Tensor? Norm { get; private init; }

    public Tensor? LmHead { get; private init; }

    public required IReadOnlyList<string> TensorNames { get; init; }

    public required long MappedBytes { get; init; }

    public required long CopiedBytes { get; init; }

    public static SliceWeights Load(CheckpointFolder checkpoint, LayerRange range, ScalarType dtype)
    {
        var c = checkpoint.Config;
        using var mapper = new WeightMapper(checkpoint, dtype);
        bool first = range.Start == 0;
        bool last = range.End == c.NumHiddenLayers;
        var embed = first ? mapper.Load("model.embed_tokens.weight", c.VocabSize, c.HiddenSize) : null;
        var layers = Enumerable.Range(range.Start, range.Count).Select(i => LoadLayer(mapper, c, i)).ToArray();
        var norm = last ? mapper.Load("model.norm.weight", c.HiddenSize) : null;
        var head = !last ? null
            : !c.TieWordEmbeddings ? mapper.Load("lm_head.weight", c.VocabSize, c.HiddenSize)
            : embed ?? mapper.Load("model.embed_tokens.weight", c.VocabSize, c.HiddenSize);
        return new SliceWeights
        {
            EmbedTokens = embed,
            Layers = layers,
            Norm = norm,
            LmHead = head,
            TensorNames = [.. mapper.Names],
            MappedBytes = mapper.Bytes,
            CopiedBytes = mapper.CopiedBytes,
        };
    }

    static LayerWeights LoadLayer(WeightMapper mapper, ModelConfig c, int i)
    {
        string p = $"model.layers.{i}.";
        int q = c.NumAttentionHeads * c.HeadDim;
        int kv = c.NumKeyValueHeads * c.HeadDim;
        Tensor? Bias(string name, int size) => c.AttentionBias ? mapper.Load(p + name, size) : null;
        Tensor? QkNorm(string name) => c.QkNorm ? mapper.Load(p + name, c.HeadDim) : null;
        return new LayerWeights(
            InputLayernorm: mapper.Load(p + "input_layernorm.weight", c.HiddenSize),
            QProj: mapper.Load(p + "self_attn.q_proj.weight", q, c.HiddenSize),
            QBias: Bias("self_attn.q_proj.bias", q),
            KProj: mapper.Load(p + "self_attn.k_proj.weight", kv, c.HiddenSize),
            KBias: Bias("self_attn.k_proj.bias", kv),
            VProj: mapper.Load(p + "self_attn.v_proj.weight", kv, c.HiddenSize),
            VBias: Bias("self_attn.v_proj.bias", kv),
            QNorm: QkNorm("self_attn.q_norm.weight"),
            KNorm: QkNorm("self_attn.k_norm.weight"),
            OProj: mapper.Load(p + "self_attn.o_proj.weight", c.HiddenSize, q),
            PostAttentionLayernorm: mapper.Load(p + "post_attention_layernorm.weight", c.HiddenSize),
            GateProj: mapper.Load(p + "mlp.gate_proj.weight", c.IntermediateSize, c.HiddenSize),
            UpProj: mapper.Load(p + "mlp.up_proj.weight", c.IntermediateSize, c.HiddenSize),
            DownProj: mapper.Load(p + "mlp.down_proj.weight", c.HiddenSize, c.IntermediateSize));
    }

    public void Dispose()
    {
        var all = Layers.SelectMany(l => l.All()).Concat(new[] { EmbedTokens, Norm, LmHead }.OfType<Tensor>());
        // Tied heads share the embedding tensor: dispose each object once (Tensor.Equals compares handles).
        foreach (var t in all.Distinct<object>(ReferenceEqualityComparer.Instance).Cast<Tensor>())
        {
            t.Dispose();
        }
    }
}
