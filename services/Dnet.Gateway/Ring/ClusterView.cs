using Dnet.ServiceDefaults.Cluster.Membership;

namespace Dnet.Gateway.Ring;

/// <summary>
/// The cluster's members as the ring supervisor last read them from Redis (once a second, and on every join/leave
/// event): what topology and planner timeouts use without a Redis round trip on the request path.
/// </summary>
internal sealed class ClusterView
{
    private volatile IReadOnlyList<ClusterMember> members = [];
    private volatile string? error;

    public IReadOnlyList<ClusterMember> Members => members;

    public int MemberCount => members.Count;

    /// <summary>Why membership could not be read last time, or null.</summary>
    public string? Error => error;

    public void Update(IReadOnlyList<ClusterMember> current)
    {
        members = current;
        error = null;
    }

    public void Unreadable(string why) => error = why;
}
