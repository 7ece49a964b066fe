namespace Dnet.AppHost;

/// <summary>How many shards the cluster runs: <c>Dnet:Shards</c> (appsettings, <c>Dnet__Shards</c>, or <c>--Dnet:Shards=4</c>).</summary>
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

        if (!int.TryParse(configured, out var count) || count < 1 || count > MaxShards)
        {
            throw new DistributedApplicationException(
                $"{ShardsKey} must be a whole number from 1 to {MaxShards}; got '{configured}'.");
        }

        return count;
    }
}
