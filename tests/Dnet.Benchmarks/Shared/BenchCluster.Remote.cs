using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Aspire.Hosting;
using Dnet.EndToEnd.Tests.Remote;

namespace Dnet.Benchmarks.Shared;

/// <summary>
/// The same cluster with its shards on "other hosts": the AppHost runs no shard and listens on a bridge, and each shard
/// runs on its own in a Linux network namespace (own IP address, no shared loopback), joined with <c>--join</c> as an
/// operator would on another machine. Every hop of the ring then crosses a veth pair and the bridge instead of
/// loopback. The namespaces and processes are the end-to-end tests' own (<see cref="NetworkNamespaces"/>,
/// <see cref="RemoteShard"/>). Needs Linux and root; otherwise it stops with the reason.
/// </summary>
sealed partial class BenchCluster
{
    const string Secret = "dnet-bench-cluster-secret";
    const string RedisPassword = "dnet-bench-redis-password";

    public static async Task<BenchCluster> StartRemoteAsync(int shards, string model, string? apiKey, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        startup.CancelAfter(StartupLimit);
        var hosts = new RemoteHosts(NetworkNamespaces.Create(shards));
        var redisData = Directory.CreateTempSubdirectory("dnet-bench-redis-").FullName;
        DistributedApplication? app = null;
        try
        {
            int port = FreePort();
            string[] arguments =
            [
                "--Dnet:Shards=0", $"--Dnet:Model={model}", "--Dnet:UseAllShards=true", $"--Dnet:Redis:DataDirectory={redisData}",
                $"--Dnet:Network:Bind={hosts.Namespaces.HostAddress}", $"--Dnet:Network:GatewayPort={port}",
                $"--Parameters:cluster-secret={Secret}", $"--Parameters:redis-password={RedisPassword}",
            ];
            app = await BuildAppAsync(arguments, apiKey, startup.Token);
            Console.Error.WriteLine($"cluster: starting {shards} remote shard(s) in network namespaces with {model}");
            await app.StartAsync(startup.Token);

            var join = $"http://{hosts.Namespaces.HostAddress}:{port}";
            // As many torch threads as a local shard gets (all cores), so that only the network differs.
            int threads = Environment.ProcessorCount;
            for (int i = 0; i < shards; i++)
            {
                var shard = new RemoteShard(hosts.Namespaces, i, $"remote-{i}", join, Secret, threads);
                hosts.Shards.Add(shard);
                shard.Start();
            }

            var gateway = new HttpClient { BaseAddress = new Uri(join), Timeout = Timeout.InfiniteTimeSpan };
            if (apiKey is not null)
            {
                gateway.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
            }

            await WaitForRingAsync(gateway, hosts, shards, watch, startup.Token);
            Console.Error.WriteLine($"cluster: ring over {shards} remote shard(s) serving after {watch.Elapsed.TotalSeconds:F1} s at {join}");
            return new BenchCluster(app, gateway, apiKey, Math.Round(watch.Elapsed.TotalSeconds, 1), redisData) { remote = hosts };
        }
        catch
        {
            hosts.StopShards();
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            hosts.Dispose();
            Directory.Delete(redisData, recursive: true);
            throw;
        }
    }

    /// <summary>Waits until the ring serves over all <paramref name="shards"/> remote shards (each joins on its own).</summary>
    static async Task WaitForRingAsync(HttpClient gateway, RemoteHosts hosts, int shards, Stopwatch watch, CancellationToken cancellationToken)
    {
        string last = "no answer yet";
        var progress = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (hosts.Shards.FirstOrDefault(s => !s.Running) is { } dead)
            {
                throw new InvalidOperationException($"{dead.Node} exited while joining:\n{dead.RecentOutput}");
            }

            try
            {
                using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                probe.CancelAfter(TimeSpan.FromSeconds(5));
                using var response = await gateway.GetAsync("/v1/cluster/topology", probe.Token);
                last = await response.Content.ReadAsStringAsync(probe.Token);
                if (response.IsSuccessStatusCode)
                {
                    using var topology = JsonDocument.Parse(last);
                    var root = topology.RootElement;
                    last = $"{root.GetProperty("state").GetString()}: {root.GetProperty("reason").GetString()}";
                    if (root.GetProperty("state").GetString() == "serving" && root.GetProperty("shards").GetArrayLength() == shards)
                    {
                        return;
                    }
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
            {
                last = exception.Message;
            }

            if (progress.Elapsed > ProgressInterval)
            {
                Console.Error.WriteLine($"cluster: waiting {watch.Elapsed.TotalSeconds:F0} s for the ring over {shards} remote shard(s): {last}");
                progress.Restart();
            }

            await Task.Delay(500, cancellationToken);
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The namespaces and the shard processes in them.</summary>
    sealed class RemoteHosts(NetworkNamespaces namespaces) : IDisposable
    {
        public NetworkNamespaces Namespaces { get; } = namespaces;

        public List<RemoteShard> Shards { get; } = [];

        /// <summary>Ctrl+C to every shard (they leave the cluster); before the AppHost stops, so none waits for Redis.</summary>
        public void StopShards()
        {
            foreach (var shard in Shards)
            {
                shard.Stop();
            }
        }

        public void Dispose()
        {
            foreach (var shard in Shards)
            {
                shard.Dispose();
            }

            Namespaces.Dispose();
        }
    }
}
