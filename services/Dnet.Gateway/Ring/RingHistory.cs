using System.Collections.Concurrent;

namespace Dnet.Gateway.Ring;

/// <summary>One change of the ring: why, into what (or why not), and how long it took.</summary>
/// <param name="At">When the change finished.</param>
/// <param name="Reason">What made the gateway plan, e.g. <c>shard-1 stopped answering: ...</c> or <c>shard-3 joined</c>.</param>
/// <param name="Succeeded">Whether the new ring is serving.</param>
/// <param name="Ring">The new ring (<c>shard-0[0,2) -> shard-2[2,4)</c>), or null when the change failed.</param>
/// <param name="Error">Why it failed, or null.</param>
/// <param name="ElapsedMs">Planning and loading time.</param>
internal sealed record RingChange(DateTimeOffset At, string Reason, bool Succeeded, string? Ring, string? Error, double ElapsedMs);

/// <summary>The last changes of the ring, newest first, for <c>/v1/cluster/topology</c> and the REPL.</summary>
internal sealed class RingHistory
{
    private const int Capacity = 20;
    private readonly ConcurrentQueue<RingChange> changes = new();

    public void Add(RingChange change)
    {
        changes.Enqueue(change);
        while (changes.Count > Capacity)
        {
            changes.TryDequeue(out _);
        }
    }

    public IReadOnlyList<RingChange> Newest() => [.. changes.Reverse()];
}
