namespace Dnet.AppHost;

/// <summary>Adds the shard services: one project resource per shard, named <c>shard-{index}</c>.</summary>
internal static class ShardResources
{
    public static IResourceBuilder<ProjectResource> AddShard(this IDistributedApplicationBuilder builder, int index) =>
        // No launch profile: its fixed port would collide between shards.
        builder.AddProject<Projects.Dnet_Shard>($"shard-{index}", launchProfileName: null)
            .WithHttpEndpoint(name: "http")
            .WithGrpcEndpoint()
            .WithEnvironment("Dnet__Shard__Index", index.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithHttpHealthCheck("/health", endpointName: "http");
}
