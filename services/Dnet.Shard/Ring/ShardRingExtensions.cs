using Dnet.ServiceDefaults.Cluster;
using Dnet.Shard.Apis;
using Dnet.Shard.Models;

namespace Dnet.Shard.Ring;

/// <summary>DI wiring of the shard's ring: slice host, model copies, frame queue and worker, idle sweeper, gRPC.</summary>
internal static class ShardRingExtensions
{
    public static IHostApplicationBuilder AddShardRing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = 256 * 1024 * 1024;
            options.MaxSendMessageSize = 256 * 1024 * 1024;
        })
            // Only members of the cluster may call the shard; the gRPC health service stays open to probes.
            .AddServiceOptions<ShardApi>(options => options.Interceptors.Add<ClusterSecretInterceptor>());
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddSingleton<ShardIdentity>();
        builder.Services.AddSingleton<ModelLocator>();
        builder.Services.AddSingleton<ModelCopies>();
        builder.Services.AddSingleton<SliceHost>();
        builder.Services.AddSingleton<FrameQueue>();
        builder.Services.AddHostedService<TorchThreads>();
        builder.Services.AddHostedService<FrameWorker>();
        builder.Services.AddHostedService<IdleSequenceSweeper>();
        builder.Services.AddHealthChecks().AddCheck<SliceHealthCheck>("model-slice", tags: ["ready"]);
        return builder;
    }
}
