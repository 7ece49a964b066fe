using Dnet.Inference.Checkpoint;
using Dnet.Models;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Dnet.Inference.Model;

/// <summary>
/// A contiguous range of decoder layers of a Llama-family model (llama, mistral, qwen2, qwen3), with the KV caches
/// of every live sequence. The forward pass below reads top to bottom like llama2.c.
/// Thread safety: steps of different sequences may run concurrently (each sequence owns its cache, and a step
/// holds its sequence's lock); steps of one sequence are serialized. Weights are read-only after loading.
/// </summary>
public sealed class ModelSlice : IDisposable
{
    readonly SliceWeights _weights;
    readonly KvCache _kv;
    readonly RotaryTable _rope;
    readonly ScalarType _dtype;

    // Scalars held for the slice's lifetime: a temporary Scalar made by an implicit conversion can be finalized
    // while libtorch still reads it (seen as sporadic TORCH_CHECK failures under GC pressure).
    readonly Scalar _rmsNormEps;
    readonly Scalar _attentionScale;
    readonly Scalar _masked = float.NegativeInfinity;

    ModelSlice(ModelConfig config, LayerRange layers, SliceWeights weights, ComputeDtype dtype, int capacity)
    {
        Config = config;
        Layers = layers;
        ComputeDtype = dtype;
        _weights = weights;
        _dtype = dtype.ToScalarType();
        _kv = new KvCache(layers.Count, config.NumKeyValueHeads, config.HeadDim, capacity, _dtype);
        _rope = new RotaryTable(config, capacity, _dtype);
        _rmsNormEps = config.RmsNormEps;
        _attentionScale = 1 / Math.Sqrt(config.HeadDim);
    }

    /// <summary>The model's config.json.</summary>
    public ModelConfig Config { get; }

    /// <summary>Layers held by this slice.</summary>
    public LayerRange Layers { get; }

    /// <summary>Element type of weights, activations and KV cache.</summary>
    public ComputeDtype ComputeDtype { get; }

    /// <summary>True when this slice starts at layer 0 and so takes token ids.</summary>
    public bool IsFirst => Layers.Start == 0;

    /// <summary>True when this slice ends at the last layer and so returns logits.</summary>
    public bool IsLast => Layers.End == Config.NumHiddenLayers;

    /// <summary>KV cache capacity per sequence, in tokens.</summary>
    public int ContextCapacity => _kv.Capacity;

    /// <summary>Checkpoint tensors this slice mapped (nothing of other layers).</summary>
    public IReadOnlyList<string> MappedTensorNames => _weights.TensorNames;

    /// <summary>File bytes of the mapped tensors.</summary>
    public long MappedBytes => _weights.MappedBytes;

    /// <summary>Bytes copied because the file dtype differs from the compute dtype (0 when none).</summary>
    public long ConvertedBytes => _weights.CopiedBytes;

    /// <summary>Request ids that currently hold a KV cache here.</summary>
    public IReadOnlyCollection<string> Sequences => _kv.SequenceIds;

    /// <summary>Loads layers [range.Start, range.End) of the checkpoint in <paramref name="folder"/>.</summary>
    public static ModelSlice Load(string folder, LayerRange range, ModelSliceOptions? options = null)
    {
        options ??= new ModelSliceOptions();
        var checkpoint = CheckpointFolder.Open(folder);
        var config = checkpoint.Config;
        range.Validate(config.NumHiddenLayers);
        int capacity = new[] { config.MaxPositionEmbeddings, options.MaxContextTokens ?? int.MaxValue, config.SlidingWindow ?? int.MaxValue }.Min();
        var weights = SliceWeights.Load(checkpoint, range, options.ComputeDtype.ToScalarType());
        return new ModelSlice(config, range, weights, options.ComputeDtype, capacity);
    }

    /// <summary>Cached tokens of a sequence, or null when it has no cache on this slice.</summary>
    public int? CachedLength(string sequenceId) => _kv.LengthOf(sequenceId);

    /// <summary>Frees a sequence's KV cache; false if it had none.</summary>
    public bool Free(string sequenceId) => _kv.Free(sequenceId);

    /// <summary>
    /// Runs one step: token ids (first slice) or a hidden state from the previous slice, at positions
    /// [startPosition, startPosition + tokens). Returns the hidden state as an activation frame, or on the last
    /// slice the logits of the last position.
    /// </summary>
    public SliceOutput Forward(string sequenceId, SliceInput input, int startPosition)
    {
        using var scope = torch.NewDisposeScope();
        if (input.TokenIds is { } tokenIds && tokenIds.Any(id => (uint)id >= (uint)Config.VocabSize))
        {
            throw new ArgumentOutOfRangeException(nameof(input), $"token ids must lie in [0, {Config.VocabSize})");
        }
        var tensor = input.TokenIds is { } ids
            ? torch.tensor(ids.ToArray(), ScalarType.Int64)
            : input.Activations!.ToTensor();
        var output = Forward(sequenceId, tensor, startPosition);
        return IsLast
            ? SliceOutput.FromLogits(LogitsToArray(output))
            : SliceOutput.FromActivations(ActivationFrame.FromTensor(output, ComputeDtype));
    }

    /// <summary>
    /// Tensor form of <see cref="Forward(string, SliceInput, int)"/>: input int64 [tokens] ids or [tokens, hidden]
    /// hidden state; returns [tokens, hidden] in the compute dtype, or float32 [vocab] logits on the last slice.
    /// The caller owns the result (it is moved to the caller's dispose scope).
    /// </summary>
    public Tensor Forward(string sequenceId, Tensor input, int startPosition)
    {
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        CheckInput(input);
        var kv = _kv.ForStep(sequenceId, startPosition);
        lock (kv.Gate)
        {
            ObjectDisposedException.ThrowIf(kv.Freed, kv);
            int n = (int)input.shape[0];
            kv.CheckStep(startPosition, n);
            var x = IsFirst ? _weights.EmbedTokens!.index_select(0, input) : input.to(_dtype);
            var cos = _rope.Cos.narrow(0, startPosition, n).unsqueeze(1);
            var sin = _rope.Sin.narrow(0, startPosition, n).unsqueeze(1);
            // Query i sits at position start+i and may see keys 0..start+i; one token needs no mask.
            var mask = n == 1 ? null : torch.full(n, startPosition + n, _masked).triu(startPosition + 1);
            for (int l = 0; l < _weights.Layers.Length; l++)
            {
                x = DecoderLayer(x, _weights.Layers[l], kv, l, startPosition, cos, sin, mask);
            }
            kv.Commit(startPosition + n);
            if (!IsLast)
            {
                return x.MoveToOuterDisposeScope();
            }
            var last = x.narrow(0, n - 1, 1);
            var logits = F.linear(RmsNorm(last, _weights.Norm!), _weights.LmHead!);
            return logits.to(ScalarType.Float32).reshape(Config.VocabSize).MoveToOuterDisposeScope();
        }
    }

    void CheckInput(Tensor input)
    {
        bool ok = IsFirst
            ? input.dim() == 1 && input.dtype == ScalarType.Int64
            : input.dim() == 2 && input.shape[1] == Config.HiddenSize;
        if (!ok || input.shape[0] == 0)
        {
            throw new ArgumentException(IsFirst
                ? $"layer 0 takes a non-empty int64 [tokens] tensor of ids, got {input.dtype} [{string.Join(", ", input.shape)}]"
                : $"layer {Layers.Start} takes a non-empty [tokens, {Config.HiddenSize}] hidden state, got [{string.Join(", ", input.shape)}]", nameof(input));
        }
    }

    Tensor DecoderLayer(Tensor x, LayerWeights w, SequenceKv kv, int layer, int start, Tensor cos, Tensor sin, Tensor? mask)
    {
        var c = Config;
        long n = x.shape[0];
        int group = c.NumAttentionHeads / c.NumKeyValueHeads;

        // Attention: RMSNorm, q/k/v projections, (qwen3) per-head q/k norm, RoPE, KV cache, GQA softmax(qkᵀ/√d)v.
        var h = RmsNorm(x, w.InputLayernorm);
        var q = F.linear(h, w.QProj, w.QBias).view(n, c.NumAttentionHeads, c.HeadDim);
        var k = F.linear(h, w.KProj, w.KBias).view(n, c.NumKeyValueHeads, c.HeadDim);
        var v = F.linear(h, w.VProj, w.VBias).view(n, c.NumKeyValueHeads, c.HeadDim);
        if (w.QNorm is not null)
        {
            q = RmsNorm(q, w.QNorm);
            k = RmsNorm(k, w.KNorm!);
        }
        q = ApplyRope(q, cos, sin);
        k = ApplyRope(k, cos, sin);
        kv.Write(layer, start, k, v);
        var (keys, values) = kv.Read(layer, start + (int)n);            // [kv_heads, T, head_dim]

        // Query heads h*group .. h*group+group-1 share kv head h: view queries as [kv_heads, group, n, head_dim].
        var queries = q.transpose(0, 1).reshape(c.NumKeyValueHeads, group, n, c.HeadDim);
        var scores = torch.matmul(queries, keys.unsqueeze(1).transpose(-1, -2)).to(ScalarType.Float32).mul(_attentionScale);
        if (mask is not null)
        {
            scores = scores + mask;
        }
        var probs = scores.softmax(-1).to(_dtype);
        var attended = torch.matmul(probs, values.unsqueeze(1))       // [kv_heads, group, n, head_dim]
            .reshape(c.NumAttentionHeads, n, c.HeadDim).transpose(0, 1).reshape(n, c.NumAttentionHeads * c.HeadDim);
        x = x + F.linear(attended, w.OProj);

        // SwiGLU MLP: down(silu(gate(h)) * up(h)).
        h = RmsNorm(x, w.PostAttentionLayernorm);
        return x + F.linear(F.silu(F.linear(h, w.GateProj)) * F.linear(h, w.UpProj), w.DownProj);
    }

    /// <summary>x / sqrt(mean(x²) + eps) · weight over the last dimension, computed in float32 as HF does.</summary>
    Tensor RmsNorm(Tensor x, Tensor weight)
    {
        var x32 = x.to(ScalarType.Float32);
        var normed = x32 * torch.rsqrt((x32 * x32).mean([-1], keepdim: true).add(_rmsNormEps));
        return weight * normed.to(_dtype);
    }

    /// <summary>Rotates pairs (i, i + head_dim/2) by position × frequency (HF rotate_half layout).</summary>
    static Tensor ApplyRope(Tensor x, Tensor cos, Tensor sin)
    {
        long half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        var rotated = torch.cat([-x2, x1], -1);
        return x * cos + rotated * sin;
    }

    static float[] LogitsToArray(Tensor logits)
    {
        var result = new float[logits.NumberOfElements];
        logits.bytes.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(result.AsSpan()));
        return result;
    }

    /// <summary>Frees every sequence and drops the weights.</summary>
    public void Dispose()
    {
        _kv.Dispose();
        _rope.Dispose();
        _weights.Dispose();
        _rmsNormEps.Dispose();
        _attentionScale.Dispose();
        _masked.Dispose();
    }
}
