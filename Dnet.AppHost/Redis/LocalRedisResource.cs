namespace Dnet.AppHost.Redis;

/// <summary>
/// A <c>redis-server</c> process run by the AppHost, for machines without a container runtime. It exposes the same
/// connection string shape as Aspire's Redis container (<c>host:port</c>, with <c>,password=...</c> when it requires
/// one), so services cannot tell the difference.
/// </summary>
internal sealed class LocalRedisResource(string name, string workingDirectory, ParameterResource? password)
    : ExecutableResource(name, "redis-server", workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public EndpointReference Endpoint => field ??= new EndpointReference(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => password is null
        ? ReferenceExpression.Create($"{Endpoint.Property(EndpointProperty.HostAndPort)}")
        : ReferenceExpression.Create($"{Endpoint.Property(EndpointProperty.HostAndPort)},password={password}");
}
