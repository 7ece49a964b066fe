using TorchSharp;
using static TorchSharp.torch;

namespace Dnet.Inference.Model;

/// <summary>
/// Keys and values of one sequence for the layers of one slice: per layer a [kv_heads, capacity, head_dim] tensor,
/// allocated with <c>torch.empty</c> so untouched capacity costs no resident memory.
/// </summary>
sealed class SequenceKv : IDisposable
{
    readonly Tensor[] _keys;
    readonly Tensor[] _values;

    public SequenceKv(string sequenceId, int layers, int kvHeads, int capacity, int headDim, ScalarType dtype)
    {
        SequenceId = sequenceId;
        Capacity = capacity;
        _keys = new Tensor[layers];
        _values = new Tensor[layers];
        for (int l = 0; l < layers; l++)
        {
            _keys[l] = torch.empty([kvHeads, capacity, headDim], dtype).DetachFromDisposeScope();
            _values[l] = torch.empty([kvHeads, capacity, headDim], dtype).DetachFromDisposeScope();
        }
    }

    public string SequenceId { get; }

    public int Capacity { get; }

    /// <summary>Positions [0, Length) hold valid keys and values.</summary>
    public int Length { get; private set; }

    /// <summary>Held while a step runs, so two steps of one sequence never interleave.</summary>
    public object Gate { get; } = new();

    /// <summary>
    /// Checks that a step of <paramref name="tokens"/> tokens at <paramref name="start"/> fits: it must continue or
    /// rewrite the cached prefix (start &lt;= Length) and stay within capacity.
    /// </summary>
    public void CheckStep(int start, int tokens)
    {
        if (start < 0 || start > Length)
        {
            throw new KvCacheFullException(SequenceId, $"step starts at position {start} but only positions [0, {Length}) are cached");
        }
        if (start + tokens > Capacity)
        {
            throw new KvCacheFullException(SequenceId,
                $"step of {tokens} tokens at position {start} exceeds the KV cache capacity of {Capacity} tokens");
        }
    }

    /// <summary>Stores k and v ([tokens, kv_heads, head_dim]) at positions [start, start+tokens) of a layer.</summary>
    public void Write(int layer, int start, Tensor k, Tensor v)
    {
        long tokens = k.shape[0];
        _keys[layer].narrow(1, start, tokens).copy_(k.transpose(0, 1));
        _values[layer].narrow(1, start, tokens).copy_(v.transpose(0, 1));
    }

    /// <summary>Keys and values of positions [0, end) of a layer, as [kv_heads, end, head_dim] views.</summary>
    public (Tensor Keys, Tensor Values) Read(int layer, int end) =>
        (_keys[layer].narrow(1, 0, end), _values[layer].narrow(1, 0, end));

    /// <summary>Marks positions [0, end) valid once every layer of the step has been written.</summary>
    public void Commit(int end) => Length = end;

    /// <summary>True once freed; a step that raced with the free must not touch the tensors.</summary>
    public bool Freed { get; private set; }

    public void Dispose()
    {
        Freed = true;
        foreach (var t in _keys.Concat(_values))
        {
            t.Dispose();
        }
    }
}
