namespace Dnet.AppHost;

/// <summary>
/// How many shards the AppHost runs on this machine: <c>Dnet:Shards</c> (appsettings, <c>Dnet__Shards</c>, or
/// <c>--Dnet:Shards=4</c>); 0 for a cluster whose shards all join from other machines.
/// </summary>
internal static class ClusterSize
{
    private const string ShardsKey = "Dnet:Shards";
    private const int MaxShards = 16;

    public static int ShardCount(this IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration[ShardsKey];
        if (configured is null)
        {
            return 2;
        }

        if (!int.TryParse(configured, out var count) || count < 0 || count > MaxShards)
        {
            throw new DistributedApplicationException(
                $"{ShardsKey} must be a whole number from 0 to {MaxShards}; got '{configured}'.");
        }

        return count;
    }
}
