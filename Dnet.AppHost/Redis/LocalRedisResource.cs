namespace Dnet.AppHost.Redis;

/// <summary>
/// A <c>redis-server</c> process run by the AppHost, for machines without a container runtime. It exposes the same
/// connection string shape as Aspire's Redis container (<c>host:port</c>, plus <c>,password=...</c> when Redis requires
/// one), so services cannot tell the difference.
/// </summary>
internal sealed class LocalRedisResource(string name, string dataDirectory, ParameterResource? password)
    : ExecutableResource(name, "redis-server", dataDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public EndpointReference Endpoint => field ??= new EndpointReference(this, EndpointName);

    /// <summary>The password Redis requires, or null when it only listens on loopback.</summary>
    public ParameterResource? Password => password;

    public ReferenceExpression ConnectionStringExpression => password is null
        ? ReferenceExpression.Create($"{Endpoint.Property(EndpointProperty.HostAndPort)}")
        : ReferenceExpression.Create($"{Endpoint.Property(EndpointProperty.HostAndPort)},password={password}");
}
