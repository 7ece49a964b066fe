using System.Globalization;

namespace Dnet.AppHost;

/// <summary>
/// Adds the shard services of this machine: one project resource per shard, named <c>shard-{index}</c>. Each registers
/// itself as a cluster member in Redis, like shards started on other machines.
/// </summary>
internal static class ShardResources
{
    public static IResourceBuilder<ProjectResource> AddShard(this IDistributedApplicationBuilder builder, int index)
    {
        // No launch profile: its fixed port would collide between shards.
        var shard = builder.AddProject<Projects.Dnet_Shard>($"shard-{index}", launchProfileName: null)
            .WithoutTls()
            .WithHttpEndpoint(name: "http")
            .WithGrpcEndpoint()
            .WithEnvironment("Dnet__Shard__Index", index.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Dnet__Cluster__Source", "apphost")
            .WithHttpHealthCheck("/health", endpointName: "http");

        // Shards on this machine share its cores, and each gets all of them: a pipeline step runs on one shard at a
        // time at 1 in flight, and under load the shards' kernel workers yield to each other (a preempted worker holds
        // back one item, the caller takes the rest). Dividing the cores left a core idle whenever the ring's layers
        // were split unevenly: 2 shards at 8 in flight kept 1.56-1.63 of 2 cores busy and gave 101-118 tokens/s,
        // against 1.87-1.91 busy and 114-123 tokens/s with all cores (serve benchmark, alternating runs).
        return builder.ExecutionContext.IsRunMode
            ? shard.WithEnvironment("Dnet__Shard__TorchThreads", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture))
            : shard;
    }
}
