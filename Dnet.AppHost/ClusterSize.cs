using System.Globalization;

namespace Dnet.AppHost;

/// <summary>
/// How many shards the AppHost runs on this machine: the parameter <c>shard-count</c> (<c>--Parameters:shard-count=4</c>),
/// else <c>Dnet:Shards</c> (appsettings, <c>Dnet__Shards</c>, or <c>--Dnet:Shards=4</c>), default 2; 0 for a cluster whose
/// shards all join from other machines. The count shapes the resource graph, so it is read when the AppHost builds it;
/// the manifest records it as the parameter's default.
/// </summary>
internal static class ClusterSize
{
    public const string ShardsParameter = "shard-count";
    private const string ShardsKey = "Dnet:Shards";
    private const int MaxShards = 16;

    public static int ShardCount(this IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration[$"Parameters:{ShardsParameter}"] is { Length: > 0 } parameter ? parameter : builder.Configuration[ShardsKey];
        var count = 2;
        if (configured is not null && (!int.TryParse(configured, out count) || count < 0 || count > MaxShards))
        {
            throw new DistributedApplicationException(
                $"{ShardsKey} (parameter '{ShardsParameter}') must be a whole number from 0 to {MaxShards}; got '{configured}'.");
        }

        builder.AddParameter(ShardsParameter, count.ToString(CultureInfo.InvariantCulture), publishValueAsDefault: true);
        return count;
    }
}
