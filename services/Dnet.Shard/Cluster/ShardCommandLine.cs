using System.Net;
using System.Net.Sockets;
using Dnet.ServiceDefaults.Cluster;

namespace Dnet.Shard.Cluster;

/// <summary>
/// The flags of a shard started on its own, with no AppHost on its machine:
/// <c>--join URL</c> (the gateway to join; it hands out the cluster's Redis), <c>--redis CONNECTION</c> (instead of
/// <c>--join</c>), <c>--name NODE</c>, <c>--bind loopback|any|IP</c>, <c>--advertise HOST</c>, <c>--grpc-port N</c>,
/// <c>--http-port N</c>, <c>--model-root DIR</c>, <c>--secret S</c> (better: <c>Dnet__Cluster__Secret</c> in the
/// environment, which other users cannot read the way they can read a command line). Each is a configuration key, so
/// the same settings also come from appsettings or the environment.
/// </summary>
internal static class ShardCommandLine
{
    public const string JoinKey = "Dnet:Cluster:Join";
    public const string GrpcPortKey = "Dnet:Shard:GrpcPort";
    public const string HttpPortKey = "Dnet:Shard:HttpPort";

    private static readonly Dictionary<string, string> Flags = new()
    {
        ["--join"] = JoinKey,
        ["--redis"] = "ConnectionStrings:redis",
        ["--name"] = "Dnet:Node",
        ["--bind"] = NetworkSettings.BindKey,
        ["--advertise"] = NetworkSettings.AdvertiseKey,
        ["--grpc-port"] = GrpcPortKey,
        ["--http-port"] = HttpPortKey,
        ["--model-root"] = "Dnet:ModelRoots",
        ["--secret"] = ClusterSecret.Key,
    };

    /// <summary>
    /// Reads the flags and, for a shard the AppHost did not configure (no Kestrel <c>grpc</c> endpoint), gives it its
    /// two endpoints: <c>http</c> (HTTP/1.1: health) and <c>grpc</c> (cleartext HTTP/2), on loopback until the service
    /// defaults move them to the bind address. Port 0 takes a free port, chosen here because the advertised address
    /// must name it.
    /// </summary>
    public static void Apply(WebApplicationBuilder builder, string[] args)
    {
        builder.Configuration.AddCommandLine(args, Flags);
        if (builder.Configuration["Kestrel:Endpoints:grpc:Url"] is not null)
        {
            return;
        }

        var grpcPort = Port(builder.Configuration, GrpcPortKey);
        var httpPort = Port(builder.Configuration, HttpPortKey);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:grpc:Url"] = $"http://localhost:{grpcPort}",
            ["Kestrel:Endpoints:grpc:Protocols"] = "Http2",
            ["Kestrel:Endpoints:http:Url"] = $"http://localhost:{httpPort}",
            ["Kestrel:Endpoints:http:Protocols"] = "Http1",
        });
    }

    private static int Port(IConfiguration configuration, string key)
    {
        var port = configuration.GetValue<int?>(key) ?? 0;
        if (port is < 0 or > 65535)
        {
            throw new InvalidOperationException($"{key} must be a port number (0 for any free port); got {port}.");
        }

        if (port != 0)
        {
            return port;
        }

        using var probe = new TcpListener(IPAddress.Any, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
