namespace Dnet.AppHost;

/// <summary>
/// The cluster secret: the secret parameter <c>cluster-secret</c>, which every shard, the planner and the gateway get as
/// <c>Dnet:Cluster:Secret</c>. Shards and the gateway's token sink answer only gRPC calls that present it, and the
/// gateway hands the cluster's Redis only to shards that do. Unset, a random one is generated on the first run and kept
/// in this project's user secrets (<c>dotnet user-secrets list --project Dnet.AppHost</c> shows it), so shards on other
/// machines can be given the same one; set it with <c>--Parameters:cluster-secret=...</c> or <c>Parameters__cluster-secret</c>.
/// </summary>
internal static class ClusterSecretParameter
{
    public const string Name = "cluster-secret";

    public static IResourceBuilder<ParameterResource> AddClusterSecret(this IDistributedApplicationBuilder builder) =>
        builder.AddParameter(Name, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);

    public static IResourceBuilder<ProjectResource> WithClusterSecret(this IResourceBuilder<ProjectResource> project, IResourceBuilder<ParameterResource> secret) =>
        project.WithEnvironment("Dnet__Cluster__Secret", secret);
}
