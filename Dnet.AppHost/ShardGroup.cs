namespace Dnet.AppHost;

/// <summary>
/// A parent for the shard resources, so the dashboard shows them as one collapsible group ("shards") instead of N
/// top-level rows. It runs nothing; its state says how many shards it groups.
/// </summary>
internal sealed class ShardGroupResource(string name) : Resource(name);

internal static class ShardGroup
{
    public static IResourceBuilder<ShardGroupResource> AddShardGroup(this IDistributedApplicationBuilder builder, int shardCount) =>
        builder.AddResource(new ShardGroupResource("shards"))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "ShardGroup",
                State = KnownResourceStates.Running,
                Properties = [new ResourcePropertySnapshot("dnet.shards", shardCount)],
            })
            // Nothing to deploy: the shards themselves are in the manifest.
            .ExcludeFromManifest();
}
