using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace Dnet.AppHost;

/// <summary>
/// Whether the cluster is reachable from other machines: <c>Dnet:Network:Bind</c> (<c>loopback</c>, the default;
/// <c>any</c>; or an IP address of this machine) and <c>Dnet:Network:Advertise</c> (the address other machines use;
/// default the bind address, or this machine's primary address with <c>any</c>). Beyond loopback, the gateway (HTTP and
/// gRPC: shards join through it and send it tokens), the shards' gRPC endpoints and Redis listen there, and the gateway's
/// HTTP endpoint is served by the gateway itself (Aspire's proxy only listens on localhost) on
/// <c>Dnet:Network:GatewayPort</c> (default 5080). The planner, analytics and the dashboard stay on loopback.
/// </summary>
internal sealed record ClusterNetwork(string Bind, string? Advertise, int GatewayPort)
{
    public const string BindKey = "Dnet:Network:Bind";
    public const string AdvertiseKey = "Dnet:Network:Advertise";
    public const string GatewayPortKey = "Dnet:Network:GatewayPort";

    public bool BeyondLoopback => Bind is not ("loopback" or "localhost") && !(IPAddress.TryParse(Bind, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>The address redis-server listens on besides 127.0.0.1.</summary>
    public string RedisBindAddress => Bind is "any" or "*" ? "0.0.0.0" : Bind;

    public static ClusterNetwork From(IConfiguration configuration)
    {
        var bind = configuration[BindKey]?.Trim() is { Length: > 0 } configured ? configured.ToLowerInvariant() : "loopback";
        if (bind is not ("loopback" or "localhost" or "any" or "*") && !IPAddress.TryParse(bind, out _))
        {
            throw new DistributedApplicationException($"{BindKey} must be 'loopback', 'any' or an IP address of this machine; got '{bind}'.");
        }

        var port = configuration[GatewayPortKey] is { Length: > 0 } text
            ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed is > 0 and < 65536
                ? parsed
                : throw new DistributedApplicationException($"{GatewayPortKey} must be a port number; got '{text}'.")
            : 5080;
        return new ClusterNetwork(bind, configuration[AdvertiseKey]?.Trim() is { Length: > 0 } advertise ? advertise : null, port);
    }

    /// <summary>Passes the bind and advertise settings to a service that other machines must reach.</summary>
    public IResourceBuilder<ProjectResource> Apply(IResourceBuilder<ProjectResource> project)
    {
        if (!BeyondLoopback)
        {
            return project;
        }

        project.WithEnvironment("Dnet__Network__Bind", Bind);
        return Advertise is null ? project : project.WithEnvironment("Dnet__Network__Advertise", Advertise);
    }

    /// <summary>The gateway: its HTTP endpoint listens itself, on the fixed port other machines are told to join.</summary>
    public IResourceBuilder<ProjectResource> ApplyToGateway(IResourceBuilder<ProjectResource> gateway)
    {
        if (BeyondLoopback)
        {
            gateway.WithEndpoint("http", endpoint =>
            {
                endpoint.IsProxied = false;
                endpoint.Port = GatewayPort;
                endpoint.TargetPort = GatewayPort;
            });
        }

        return Apply(gateway);
    }
}
