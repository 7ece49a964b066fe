namespace Dnet.Shard.Profiling;

/// <summary>The shard's node name for profiles and link measurements (same rule as the ring's identity).</summary>
internal static class ShardNode
{
    public static string From(IConfiguration configuration) =>
        configuration["Dnet:Node"]
        ?? (configuration["Dnet:Shard:Index"] is { } index ? $"shard-{index}" : Environment.MachineName);
}
