using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dnet.ServiceDefaults.Cluster.Membership;

/// <summary>
/// Published on <see cref="MembershipKeys.Channel"/> when a member joins or leaves cleanly, so watchers react at once
/// instead of at their next poll. A member that dies says nothing: its record expires and polls notice.
/// </summary>
/// <param name="Kind"><see cref="Joined"/> or <see cref="Left"/>.</param>
/// <param name="Node">The member's name.</param>
/// <param name="Instance">The member's process instance.</param>
/// <param name="Address">The member's advertised gRPC address.</param>
public sealed record MembershipEvent(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("address")] string Address)
{
    /// <summary>A member registered (first start, or back after its record expired).</summary>
    public const string Joined = "join";

    /// <summary>A member deregistered on a clean shutdown.</summary>
    public const string Left = "leave";

    /// <summary>The published form.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Parses a published event; null when it is not one.</summary>
    /// <param name="json">The message.</param>
    public static MembershipEvent? Parse(string? json)
    {
        try
        {
            return string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<MembershipEvent>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
