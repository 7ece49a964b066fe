using System.Globalization;

namespace Dnet.AppHost;

/// <summary>
/// Adds the shard services of this machine: one project resource per shard, named <c>shard-{index}</c>. Each registers
/// itself as a cluster member in Redis, like shards started on other machines.
/// </summary>
internal static class ShardResources
{
    public static IResourceBuilder<ProjectResource> AddShard(this IDistributedApplicationBuilder builder, int index, int shardCount)
    {
        // No launch profile: its fixed port would collide between shards.
        var shard = builder.AddProject<Projects.Dnet_Shard>($"shard-{index}", launchProfileName: null)
            .WithoutTls()
            .WithHttpEndpoint(name: "http")
            .WithGrpcEndpoint()
            .WithEnvironment("Dnet__Shard__Index", index.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Dnet__Cluster__Source", "apphost")
            .WithHttpHealthCheck("/health", endpointName: "http");

        // Shards on this machine share its cores: libtorch's default of one thread per core in every shard
        // oversubscribes the CPU and makes each step many times slower. A deployment gives each shard its own machine.
        return builder.ExecutionContext.IsRunMode
            ? shard.WithEnvironment("Dnet__Shard__TorchThreads", TorchThreads(shardCount).ToString(CultureInfo.InvariantCulture))
            : shard;
    }

    private static int TorchThreads(int shardCount) => Math.Max(1, Environment.ProcessorCount / shardCount);
}
