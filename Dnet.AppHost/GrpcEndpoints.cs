namespace Dnet.AppHost;

/// <summary>
/// Gives a project a cleartext gRPC endpoint named <c>grpc</c> beside its <c>http</c> one. Cleartext HTTP/2 needs an
/// HTTP/2-only Kestrel endpoint while health probes and browsers speak HTTP/1.1, so each endpoint is named in Kestrel's
/// configuration with its own protocol (this replaces ASPNETCORE_URLS).
/// </summary>
internal static class GrpcEndpoints
{
    public static IResourceBuilder<ProjectResource> WithGrpcEndpoint(this IResourceBuilder<ProjectResource> project)
    {
        // Not proxied: activations cross this endpoint once per token per hop, and a proxy would add a hop of its own.
        project.WithHttpEndpoint(name: "grpc", isProxied: false)
            .WithEndpoint("grpc", endpoint => endpoint.Transport = "http2");

        // A deployment listens on every interface; a developer machine only on loopback.
        var host = project.ApplicationBuilder.ExecutionContext.IsPublishMode ? "+" : "localhost";
        var http = project.GetEndpoint("http");
        var grpc = project.GetEndpoint("grpc");
        return project
            .WithEnvironment("Kestrel__Endpoints__http__Url", ReferenceExpression.Create($"http://{host}:{http.Property(EndpointProperty.TargetPort)}"))
            .WithEnvironment("Kestrel__Endpoints__http__Protocols", "Http1")
            .WithEnvironment("Kestrel__Endpoints__grpc__Url", ReferenceExpression.Create($"http://{host}:{grpc.Property(EndpointProperty.TargetPort)}"))
            .WithEnvironment("Kestrel__Endpoints__grpc__Protocols", "Http2");
    }
}
