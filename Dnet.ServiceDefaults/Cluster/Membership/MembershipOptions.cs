namespace Dnet.ServiceDefaults.Cluster.Membership;

/// <summary>
/// Membership timing (<c>Dnet:Cluster:*</c>): a member refreshes its record every <see cref="HeartbeatInterval"/>;
/// a record not refreshed for <see cref="MemberTtl"/> expires, and with it the membership.
/// </summary>
public sealed class MembershipOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Dnet:Cluster";

    /// <summary>How often a member refreshes its record (default 1 s).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a record lives without a heartbeat (default 5 s): a dead member is gone from membership within this.</summary>
    public TimeSpan MemberTtl { get; set; } = TimeSpan.FromSeconds(5);
}
