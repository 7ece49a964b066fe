using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Dnet.Cluster.Tests;

/// <summary>A real <c>redis-server</c> on a free loopback port, without persistence, and a client to look inside it.</summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    private const string Executable = "/usr/bin/redis-server";
    private readonly string directory = Directory.CreateTempSubdirectory("dnet-cluster-tests-").FullName;
    private Process? process;
    private ConnectionMultiplexer? client;

    private RedisProcess(int port) => Port = port;

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisProcess> StartAsync()
    {
        var server = new RedisProcess(FreePort());
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts (again, empty) on the same port and waits until it answers.</summary>
    public async Task RestartAsync()
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory })
        {
            start.ArgumentList.Add(argument);
        }

        process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                await (await ClientAsync()).GetDatabase().PingAsync();
                return;
            }
            catch (RedisException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Kills the server (an outage, not a shutdown).</summary>
    public void Kill()
    {
        process?.Kill();
        process?.WaitForExit();
        process?.Dispose();
        process = null;
    }

    public async Task<IDatabase> DatabaseAsync() => (await ClientAsync()).GetDatabase();

    public async Task<ISubscriber> SubscriberAsync() => (await ClientAsync()).GetSubscriber();

    public async ValueTask DisposeAsync()
    {
        if (client is not null)
        {
            await client.DisposeAsync();
        }

        Kill();
        Directory.Delete(directory, recursive: true);
    }

    private async Task<ConnectionMultiplexer> ClientAsync() =>
        client ??= await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { ConnectionString },
            AbortOnConnectFail = false,
            ConnectTimeout = 1000,
            ReconnectRetryPolicy = new LinearRetry(100),
        });

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
