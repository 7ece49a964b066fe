using System.Collections.Concurrent;
using Dnet.Models;

namespace Dnet.Inference.Model;

/// <summary>
/// The KV caches of every live sequence (request id) on one slice. Sequences never share state; adding, freeing
/// and stepping different sequences from different threads is safe.
/// </summary>
sealed class KvCache(int layers, int kvHeads, int headDim, int capacity, ComputeDtype dtype) : IDisposable
{
    readonly ConcurrentDictionary<string, SequenceKv> _sequences = new(StringComparer.Ordinal);

    public int Capacity => capacity;

    public IReadOnlyCollection<string> SequenceIds => [.. _sequences.Keys];

    /// <summary>The cache of a sequence, or null when it has none here.</summary>
    public SequenceKv? Find(string sequenceId) => _sequences.TryGetValue(sequenceId, out var kv) ? kv : null;

    /// <summary>The cache of a sequence that starts now (position 0): an existing one is reused, else made.</summary>
    public SequenceKv Start(string sequenceId) =>
        _sequences.GetOrAdd(sequenceId, id => new SequenceKv(id, layers, kvHeads, capacity, headDim, dtype));

    /// <summary>Cached length of a sequence, or null when it has no cache here.</summary>
    public int? LengthOf(string sequenceId) => _sequences.TryGetValue(sequenceId, out var kv) ? kv.Length : null;

    /// <summary>Releases a sequence's memory (after any step holding it ends); false if it was not cached.</summary>
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
