using Dnet.Inference.Checkpoint;
using Dnet.Inference.Kernels;
using Dnet.Models;

namespace Dnet.Inference.Model;

/// <summary>
/// The tensors one slice needs and nothing else: its layers, plus embed_tokens on the first slice and
/// norm + lm_head (or the tied embeddings) on the last. Every shape is checked against config.json.
/// </summary>
sealed class SliceWeights : IDisposable
{
    WeightMapper _mapper = null!;

    public Weight? EmbedTokens { get; private init; }

    public required LayerWeights[] Layers { get; init; }

    public Weight? Norm { get; private init; }

    public FusedWeight? LmHead { get; private init; }

    public IReadOnlyList<string> TensorNames => _mapper.Names;

    public long MappedBytes => _mapper.Bytes;

    public long CopiedBytes => _mapper.CopiedBytes;

    public static SliceWeights Load(CheckpointFolder checkpoint, LayerRange range, ComputeDtype dtype)
    {
        var c = checkpoint.Config;
        var mapper = new WeightMapper(checkpoint, dtype);
        try
        {
            bool first = range.Start == 0;
            bool last = range.End == c.NumHiddenLayers;
            Weight? embed = first ? mapper.Load("model.embed_tokens.weight", c.VocabSize, c.HiddenSize) : null;
            var layers = Enumerable.Range(range.Start, range.Count).Select(i => LoadLayer(mapper, c, i)).ToArray();
            Weight? norm = last ? mapper.Load("model.norm.weight", c.HiddenSize) : null;
            Weight? head = !last ? null
                : !c.TieWordEmbeddings ? mapper.Load("lm_head.weight", c.VocabSize, c.HiddenSize)
                : embed ?? mapper.Load("model.embed_tokens.weight", c.VocabSize, c.HiddenSize);
            return new SliceWeights
            {
                _mapper = mapper,
                EmbedTokens = embed,
                Layers = layers,
                Norm = norm,
                LmHead = head is { } h ? new FusedWeight(h) : null,
            };
        }
        catch
        {
            mapper.Dispose();
            throw;
        }
    }

    static LayerWeights LoadLayer(WeightMapper mapper, ModelConfig c, int i)
    {
        string p = $"model.layers.{i}.";
        int q = c.NumAttentionHeads * c.HeadDim;
        int kv = c.NumKeyValueHeads * c.HeadDim;
        Weight? qkvBias = null;
        if (c.AttentionBias)
        {
            qkvBias = ConcatBias(mapper,
                mapper.Load(p + "self_attn.q_proj.bias", q),
                mapper.Load(p + "self_attn.k_proj.bias", kv),
                mapper.Load(p + "self_attn.v_proj.bias", kv));
        }
        Weight? QkNorm(string name) => c.QkNorm ? mapper.Load(p + name, c.HeadDim) : null;
        var qkv = new FusedWeight(
            mapper.Load(p + "self_attn.q_proj.weight", q, c.HiddenSize),
            mapper.Load(p + "self_attn.k_proj.weight", kv, c.HiddenSize),
            mapper.Load(p + "self_attn.v_proj.weight", kv, c.HiddenSize));
        return new LayerWeights(
            InputLayernorm: mapper.Load(p + "input_layernorm.weight", c.HiddenSize),
            QkvProj: qkv,
            QkvBias: qkvBias,
            QNorm: QkNorm("self_attn.q_norm.weight"),
            KNorm: QkNorm("self_attn.k_norm.weight"),
            OProj: new FusedWeight(mapper.Load(p + "self_attn.o_proj.weight", c.HiddenSize, q)),
            PostAttentionLayernorm: mapper.Load(p + "post_attention_layernorm.weight", c.HiddenSize),
            GateUpProj: new FusedWeight(
                mapper.Load(p + "mlp.gate_proj.weight", c.IntermediateSize, c.HiddenSize),
                mapper.Load(p + "mlp.up_proj.weight", c.IntermediateSize, c.HiddenSize)),
            DownProj: new FusedWeight(mapper.Load(p + "mlp.down_proj.weight", c.HiddenSize, c.IntermediateSize)));
    }

    /// <summary>q|k|v biases as one float vector (a few KB per layer: a copy is the simple choice).</summary>
    static Weight ConcatBias(WeightMapper mapper, params Weight[] parts)
    {
        var joined = new float[parts.Sum(p => p.Cols)];
        int at = 0;
        foreach (var part in parts)
        {
            for (int i = 0; i < part.Cols; i++)
            {
                joined[at++] = part[0, i];
            }
        }
        return mapper.Own(joined);
    }

    /// <summary>Every projection (and lm_head) that the bf16 tiles can hold, copied for them; the bytes copied.</summary>
    public long Tile() => Projections().Sum(w => w.Tile());

    IEnumerable<FusedWeight> Projections()
    {
        foreach (var layer in Layers)
        {
            yield return layer.QkvProj;
            yield return layer.OProj;
            yield return layer.GateUpProj;
            yield return layer.DownProj;
        }
        if (LmHead is not null)
        {
            yield return LmHead;
        }
    }

    public void Dispose()
    {
        foreach (var weight in Projections())
        {
            weight.Untile();
        }
        _mapper.Dispose();
    }
}
