namespace Dnet.Gateway.Apis;

/// <summary>
/// What <c>/v1/cluster/topology</c> answers: the served model, the ring's state and why, each ring shard as asked just
/// now, every member of the cluster (in the ring or not) and the last changes of the ring with their reasons.
/// </summary>
internal sealed record TopologyView(
    string Model,
    string ServedModelName,
    string Folder,
    int ContextLength,
    DateTimeOffset LoadedAt,
    string State,
    string Reason,
    bool Manual,
    IReadOnlyList<TopologyShard> Shards,
    IReadOnlyList<TopologyMember> Members,
    string? MembershipError,
    IReadOnlyList<TopologyChange> Changes);

/// <summary>One shard of the ring: its layers [start, end) and whether it answered with its slice loaded.</summary>
internal sealed record TopologyShard(
    string Node, string Address, int LayerStart, int LayerEnd, bool Healthy, int ActiveSequences, DateTimeOffset? LastAnswer, string? Error);

/// <summary>One member of the cluster, and whether the current ring uses it.</summary>
internal sealed record TopologyMember(string Node, string Address, string Host, string Source, DateTimeOffset StartedAt, bool InRing);

/// <summary>One change of the ring: when, why, into what (or the error), and how long planning and loading took.</summary>
internal sealed record TopologyChange(DateTimeOffset At, string Reason, bool Succeeded, string? Ring, string? Error, double ElapsedMs);
