namespace Dnet.AppHost;

/// <summary>
/// The endpoints users call from outside a deployment: the gateway's and analytics' HTTP APIs. Only the <c>http</c>
/// endpoint is external; the gateway's gRPC token sink and every shard stay internal to the cluster.
/// </summary>
internal static class PublicEndpoints
{
    public static IResourceBuilder<ProjectResource> WithPublicHttpEndpoint(this IResourceBuilder<ProjectResource> project) =>
        project.WithEndpoint("http", endpoint => endpoint.IsExternal = true);
}
