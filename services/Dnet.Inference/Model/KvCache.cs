using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace Dnet.Inference.Model;

/// <summary>
/// The KV caches of every live sequence (request id) on one slice. Sequences never share state; adding, freeing
/// and stepping different sequences from different threads is safe.
/// </summary>
sealed class KvCache(int layers, int kvHeads, int headDim, int capacity, ScalarType dtype) : IDisposable
{
    readonly ConcurrentDictionary<string, SequenceKv> _sequences = new(StringComparer.Ordinal);

    public int Capacity => capacity;

    public int Count => _sequences.Count;

    public IReadOnlyCollection<string> SequenceIds => [.. _sequences.Keys];

    /// <summary>
    /// The cache for a step at <paramref name="start"/>: created empty when the sequence starts (position 0),
    /// otherwise it must exist, so a step of an unknown or freed sequence allocates nothing.
    /// </summary>
    public SequenceKv ForStep(string sequenceId, int start) => start == 0
        ? _sequences.GetOrAdd(sequenceId, id => new SequenceKv(id, layers, kvHeads, capacity, headDim, dtype))
        : _sequences.TryGetValue(sequenceId, out var kv)
            ? kv
            : throw new KvCacheFullException(sequenceId, $"step starts at position {start} but the sequence has no cache here (never started, or freed)");

    /// <summary>Cached length of a sequence, or null when it has no cache here.</summary>
    public int? LengthOf(string sequenceId) => _sequences.TryGetValue(sequenceId, out var kv) ? kv.Length : null;

    /// <summary>Releases a sequence's memory; false if it was not cached.</summary>
    public bool Free(string sequenceId)
    {
        if (!_sequences.TryRemove(sequenceId, out var kv))
        {
            return false;
        }
        lock (kv.Gate)
        {
            kv.Dispose();
        }
        return true;
    }

    public void Dispose()
    {
        foreach (string id in _sequences.Keys)
        {
            Free(id);
        }
    }
}
