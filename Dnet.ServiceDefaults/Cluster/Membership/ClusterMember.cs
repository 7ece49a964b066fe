using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dnet.ServiceDefaults.Cluster.Membership;

/// <summary>
/// One member of the cluster as it announces itself in Redis (<see cref="MembershipKeys.Member"/>), refreshed by its
/// heartbeats. Only shards are members: the planner plans over them, the gateway drives rings through them.
/// </summary>
/// <param name="Node">The member's unique name, e.g. <c>shard-0</c> or <c>shard-lab-1</c>.</param>
/// <param name="Address">Its advertised gRPC address, e.g. <c>http://10.0.0.7:5300</c>.</param>
/// <param name="Host">The machine it runs on.</param>
/// <param name="Source"><c>apphost</c> (started by the AppHost) or <c>joined</c> (started on its own).</param>
/// <param name="Instance">Random id of this process: a restarted member is a new instance under the same name.</param>
/// <param name="StartedAt">When the process started.</param>
public sealed record ClusterMember(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("started_at")] DateTimeOffset StartedAt)
{
    /// <summary>A member started by the AppHost.</summary>
    public const string AppHostSource = "apphost";

    /// <summary>A member started on its own that joined the cluster.</summary>
    public const string JoinedSource = "joined";

    /// <summary>The stored form.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Parses a stored record; null when it is not one (a foreign or damaged value is skipped, not fatal).</summary>
    /// <param name="json">The stored value.</param>
    public static ClusterMember? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ClusterMember>(json) is { Node.Length: > 0, Address.Length: > 0 } member ? member : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
