using Dnet.ServiceDefaults.Cluster;
using Dnet.ServiceDefaults.Cluster.Membership;
using Dnet.Shard.Ring;

namespace Dnet.Shard.Cluster;

/// <summary>
/// Makes the shard a cluster member: it registers under its node name with the advertised address of its <c>grpc</c>
/// endpoint, as <c>apphost</c> or <c>joined</c> (<c>Dnet:Cluster:Source</c>), and leaves on a clean shutdown.
/// </summary>
internal static class ShardMembership
{
    public const string SourceKey = "Dnet:Cluster:Source";

    public static IHostApplicationBuilder AddShardMembership(this IHostApplicationBuilder builder)
    {
        var source = builder.Configuration[SourceKey] is { Length: > 0 } configured ? configured : ClusterMember.JoinedSource;
        var started = DateTimeOffset.UtcNow;
        var instance = Guid.NewGuid().ToString("n");
        return builder.AddClusterMember(provider =>
        {
            var configuration = provider.GetRequiredService<IConfiguration>();
            var url = configuration["Kestrel:Endpoints:grpc:Url"]
                ?? throw new InvalidOperationException("The shard has no Kestrel endpoint named grpc to advertise.");
            var port = new Uri(url.Replace("://+:", "://localhost:").Replace("://*:", "://localhost:")).Port;
            return new ClusterMember(
                provider.GetRequiredService<ShardIdentity>().Node,
                provider.GetRequiredService<NetworkSettings>().AdvertisedUrl(port),
                Environment.MachineName,
                source,
                instance,
                started);
        });
    }
}
