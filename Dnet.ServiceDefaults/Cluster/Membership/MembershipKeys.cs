namespace Dnet.ServiceDefaults.Cluster.Membership;

/// <summary>
/// Where membership lives in the cluster's Redis: one record per member with a TTL its heartbeats refresh (the
/// truth: a member whose record expired is gone), an index of member names scored by expiry in Redis's own clock (so
/// members on machines with skewed clocks agree), and a channel for join/leave events.
/// </summary>
public static class MembershipKeys
{
    /// <summary>Sorted set of member names, scored by their record's expiry (Unix ms, Redis server time).</summary>
    public const string Index = "dnet:members";

    /// <summary>Pub/sub channel of <see cref="MembershipEvent"/>s.</summary>
    public const string Channel = "dnet:membership";

    /// <summary>The key of <paramref name="node"/>'s record.</summary>
    /// <param name="node">The member's name.</param>
    public static string Member(string node) => $"dnet:member:{node}";
}
