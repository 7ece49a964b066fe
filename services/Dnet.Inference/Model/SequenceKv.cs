using System.Runtime.InteropServices;
using Dnet.Models;

namespace Dnet.Inference.Model;

/// <summary>
/// Keys and values of one sequence for the layers of one slice, in the compute dtype: per layer and kv head a
/// [capacity, head_dim] block of keys and one of values, so attention streams one head's positions contiguously and
/// every query head of a group reads the same block (grouped-query attention by index, no copies). One native
/// allocation per sequence, never touched ahead of use, so untouched capacity costs no resident memory.
/// </summary>
sealed unsafe class SequenceKv : IDisposable
{
    readonly byte* _memory;
    readonly long _headBytes;
    readonly int _kvHeads;

    public SequenceKv(string sequenceId, int layers, int kvHeads, int capacity, int headDim, ComputeDtype dtype)
    {
        SequenceId = sequenceId;
        Capacity = capacity;
        Dtype = dtype;
        _kvHeads = kvHeads;
        _headBytes = (long)capacity * headDim * dtype.ElementSize();
        // Large requests come straight from mmap (lazily backed), so capacity is address space until written.
        _memory = (byte*)NativeMemory.Alloc((nuint)(_headBytes * kvHeads * 2 * layers));
    }

    public string SequenceId { get; }

    public int Capacity { get; }

    public ComputeDtype Dtype { get; }

    /// <summary>Positions [0, Length) hold valid keys and values.</summary>
    public int Length { get; private set; }

    /// <summary>Held while a step runs, so two steps of one sequence never interleave and a free waits for it.</summary>
    public object Gate { get; } = new();

    /// <summary>True once freed; a step that raced with the free must not touch the memory.</summary>
    public bool Freed { get; private set; }

    /// <summary>Keys of a layer's kv head: [capacity, head_dim] elements of <see cref="Dtype"/>.</summary>
    public byte* Keys(int layer, int kvHead) => _memory + (2L * layer * _kvHeads + kvHead) * _headBytes;

    /// <summary>Values of a layer's kv head: [capacity, head_dim].</summary>
    public byte* Values(int layer, int kvHead) => _memory + ((2L * layer + 1) * _kvHeads + kvHead) * _headBytes;

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

    /// <summary>Marks positions [0, end) valid once every layer of the step has been written.</summary>
    public void Commit(int end) => Length = end;

    public void Dispose()
    {
        if (!Freed)
        {
            Freed = true;
            NativeMemory.Free(_memory);
        }
    }
}
