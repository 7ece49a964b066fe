using Dnet.ServiceDefaults.Cluster;
using Dnet.ServiceDefaults.Cluster.Membership;
using Dnet.Shard.Ring;

namespace Dnet.Shard.Cluster;

/// <summary>
/// Makes the shard a cluster member: it registers under its node name with the advertised address of its <c>grpc</c>
/// endpoint, as <c>apphost</c> or <c>joined</c> (<c>Dnet:Cluster:Source</c>), and leaves as soon as a clean shutdown
/// (Ctrl+C, SIGTERM) begins. The shutdown itself is bounded to a few seconds: the activation streams from the previous
/// hop are long-lived and would otherwise hold the process for the host's default 30 s.
/// </summary>
internal static class ShardMembership
{
    public const string SourceKey = "Dnet:Cluster:Source";

    public static IHostApplicationBuilder AddShardMembership(this IHostApplicationBuilder builder)
    {
        var source = builder.Configuration[SourceKey] is { Length: > 0 } configured ? configured : ClusterMember.JoinedSource;
        var started = DateTimeOffset.UtcNow;
        var instance = Guid.NewGuid().ToString("n");
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(5));
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
