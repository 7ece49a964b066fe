namespace Dnet.AppHost;

/// <summary>Adds the shard services: one project resource per shard, named <c>shard-{index}</c>.</summary>
internal static class ShardResources
{
    public static IResourceBuilder<ProjectResource> AddShard(this IDistributedApplicationBuilder builder, int index)
    {
        // No launch profile: its fixed port would collide between shards.
        var shard = builder.AddProject<Projects.Dnet_Shard>($"shard-{index}", launchProfileName: null)
            .WithHttpEndpoint(name: "http")
            .WithHttpEndpoint(name: "grpc")
            .WithEndpoint("grpc", endpoint => endpoint.Transport = "http2");

        // Cleartext gRPC needs an HTTP/2-only Kestrel endpoint, while health probes speak HTTP/1.1, so each endpoint
        // is named in Kestrel's configuration with its own protocol (this replaces ASPNETCORE_URLS).
        // A deployment listens on every interface; a developer machine only on loopback.
        var host = builder.ExecutionContext.IsPublishMode ? "+" : "localhost";
        var http = shard.GetEndpoint("http");
        var grpc = shard.GetEndpoint("grpc");
        return shard
            .WithEnvironment("Kestrel__Endpoints__http__Url", ReferenceExpression.Create($"http://{host}:{http.Property(EndpointProperty.TargetPort)}"))
            .WithEnvironment("Kestrel__Endpoints__http__Protocols", "Http1")
            .WithEnvironment("Kestrel__Endpoints__grpc__Url", ReferenceExpression.Create($"http://{host}:{grpc.Property(EndpointProperty.TargetPort)}"))
            .WithEnvironment("Kestrel__Endpoints__grpc__Protocols", "Http2")
            .WithEnvironment("Dnet__Shard__Index", index.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithHttpHealthCheck("/health", endpointName: "http");
    }
}
