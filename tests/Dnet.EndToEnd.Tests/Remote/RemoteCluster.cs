using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace Dnet.EndToEnd.Tests.Remote;

/// <summary>
/// A cluster whose shards are all on other hosts: the real AppHost with no shard of its own, listening on the bridge
/// address of <see cref="NetworkNamespaces"/> (gateway HTTP and gRPC, Redis), and shards started on their own, one per
/// namespace, that join through the gateway. Disposing stops the shards, the AppHost and removes the namespaces.
/// </summary>
public sealed class RemoteCluster : IAsyncDisposable
{
    public const string Secret = "remote-shards-cluster-secret";

    /// <summary>Redis listens on the bridge, so it requires a password; shards get it from the gateway's join endpoint.</summary>
    public const string RedisPassword = "remote-shards-redis-password";

    private readonly NetworkNamespaces namespaces;
    private readonly RedisDataDirectory redisData;

    private RemoteCluster(NetworkNamespaces namespaces, RedisDataDirectory redisData, DistributedApplication app, IReadOnlyList<RemoteShard> shards, Uri gateway)
    {
        this.namespaces = namespaces;
        this.redisData = redisData;
        App = app;
        Shards = shards;
        Gateway = gateway;
    }

    public DistributedApplication App { get; }

    public IReadOnlyList<RemoteShard> Shards { get; }

    /// <summary>The gateway's HTTP endpoint on the bridge, as the shards (and any client on the network) see it.</summary>
    public Uri Gateway { get; }

    /// <summary>Creates the namespaces, starts the AppHost and <paramref name="shards"/> remote shards, and waits until the ring holds all of them.</summary>
    public static async Task<RemoteCluster> StartAsync(int shards, string model, IEnumerable<string> settings, CancellationToken cancellationToken)
    {
        var namespaces = NetworkNamespaces.Create(shards);
        var redisData = new RedisDataDirectory();
        DistributedApplication? app = null;
        var remote = new List<RemoteShard>();
        try
        {
            var port = FreePort();
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Dnet_AppHost>(
                [
                    "--Dnet:Shards=0",
                    $"--Dnet:Model={model}",
                    "--Dnet:UseAllShards=true",
                    $"--Dnet:Network:Bind={namespaces.HostAddress}",
                    $"--Dnet:Network:GatewayPort={port}",
                    $"--Parameters:cluster-secret={Secret}",
                    $"--Parameters:redis-password={RedisPassword}",
                    redisData.Argument,
                    .. settings,
                ], cancellationToken);
            app = await builder.BuildAsync(cancellationToken);
            await app.StartAsync(cancellationToken);
            var gateway = new Uri($"http://{namespaces.HostAddress}:{port}");
            for (var i = 0; i < shards; i++)
            {
                var shard = new RemoteShard(namespaces, i, $"remote-{i}", gateway.ToString().TrimEnd('/'), Secret);
                shard.Start();
                remote.Add(shard);
            }

            var cluster = new RemoteCluster(namespaces, redisData, app, remote, gateway);
            await cluster.WaitForRingAsync(ring => ring.Count == shards, TimeSpan.FromMinutes(4), cancellationToken);
            return cluster;
        }
        catch
        {
            foreach (var shard in remote)
            {
                shard.Dispose();
            }

            if (app is not null)
            {
                await app.DisposeAsync();
            }

            namespaces.Dispose();
            redisData.Dispose();
            throw;
        }
    }

    public HttpClient Client(TimeSpan? timeout = null) => new() { BaseAddress = Gateway, Timeout = timeout ?? TimeSpan.FromMinutes(2) };

    /// <summary>Waits until the ring serves with shards that satisfy <paramref name="done"/>; returns the ring's nodes.</summary>
    public async Task<List<string>> WaitForRingAsync(Func<List<string>, bool> done, TimeSpan within, CancellationToken cancellationToken)
    {
        using var http = Client(TimeSpan.FromSeconds(5));
        var deadline = DateTime.UtcNow + within;
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync("/v1/cluster/topology", cancellationToken);
                last = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    var topology = JsonDocument.Parse(last).RootElement;
                    var ring = topology.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("node").GetString()!).ToList();
                    if (topology.GetProperty("state").GetString() == "serving" && done(ring))
                    {
                        return ring;
                    }
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                last = exception.Message;
            }

            await Task.Delay(250, cancellationToken);
        }

        throw new TimeoutException($"The ring never got there within {within}. Last topology: {last}\n" +
            string.Join("\n", Shards.Select(s => $"--- {s.Node} ({(s.Running ? "running" : "stopped")}):\n{s.RecentOutput}")));
    }

    /// <summary>The cluster's members as the planner lists them (GET /v1/cluster/devices).</summary>
    public async Task<List<string>> DevicesAsync(CancellationToken cancellationToken)
    {
        using var http = Client();
        var devices = await http.GetFromJsonAsync<JsonElement>("/v1/cluster/devices", cancellationToken);
        return [.. devices.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("node").GetString()!)];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var shard in Shards)
        {
            shard.Dispose();
        }

        await App.DisposeAsync();
        namespaces.Dispose();
        redisData.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
