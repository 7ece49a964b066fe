namespace Dnet.Shard.Ring;

/// <summary>Who this shard is: <c>shard-{Dnet:Shard:Index}</c>, as the AppHost names it.</summary>
public sealed class ShardIdentity(IConfiguration configuration)
{
    public string Node { get; } = configuration["Dnet:Node"]
        ?? (configuration["Dnet:Shard:Index"] is { } index ? $"shard-{index}" : Environment.MachineName);
}
