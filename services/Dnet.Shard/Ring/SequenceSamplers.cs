using System.Collections.Concurrent;
using Dnet.Generation.Sampling;

namespace Dnet.Shard.Ring;

/// <summary>
/// The last shard's sampler per request: it carries the request's seeded RNG and penalty counts from token to token,
/// so a request samples the same tokens however many shards the model is split over.
/// </summary>
internal sealed class SequenceSamplers
{
    private readonly ConcurrentDictionary<string, Sampler> _samplers = new();

    public Sampler GetOrCreate(string requestId, Func<Sampler> create) => _samplers.GetOrAdd(requestId, _ => create());

    public void Remove(string requestId) => _samplers.TryRemove(requestId, out _);
}
