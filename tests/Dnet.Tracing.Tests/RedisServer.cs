using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Dnet.Contracts.Tracing;
using StackExchange.Redis;

namespace Dnet.Tracing.Tests;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port that a test can kill, freeze and restart. It persists like the
/// AppHost's (append-only file, fsync every second, in a directory of its own), so a restart keeps the stream.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private const string Executable = "/usr/bin/redis-server";
    private readonly string directory = Directory.CreateTempSubdirectory("dnet-tracing-tests-").FullName;
    private Process? process;
    private ConnectionMultiplexer? client;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(FreePort());
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts (again) on the same port and waits until it answers PING.</summary>
    public async Task RestartAsync()
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--dir", directory })
        {
            start.ArgumentList.Add(argument);
        }

        process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await AnswersPingAsync())
        {
            if (DateTime.UtcNow > deadline || process.HasExited)
            {
                throw new InvalidOperationException($"redis-server on port {Port} did not answer PING");
            }

            await Task.Delay(20);
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

    /// <summary>Stops the process where it is (SIGSTOP): connections stay open and nothing answers.</summary>
    public void Freeze() => Signal("STOP");

    /// <summary>Lets a frozen server run again (SIGCONT).</summary>
    public void Thaw() => Signal("CONT");

    /// <summary>Every batch in <see cref="SpanStream.Key"/>, oldest first.</summary>
    public async Task<IReadOnlyList<SpanBatch>> ReadBatchesAsync()
    {
        client ??= await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { ConnectionString },
            AbortOnConnectFail = false,
            ReconnectRetryPolicy = new LinearRetry(200),
        });
        var entries = await client.GetDatabase().StreamRangeAsync(SpanStream.Key);
        return entries
            .Select(entry => SpanBatch.FromStreamFields(entry.Values.Select(field => new KeyValuePair<string, string>(field.Name!, field.Value!))))
            .ToList();
    }

    /// <summary>The byte length of each entry's <c>spans</c> field, oldest first: what the exporter's buffer counted.</summary>
    public async Task<IReadOnlyList<long>> ReadSpansFieldLengthsAsync()
    {
        await ReadBatchesAsync();
        var entries = await client!.GetDatabase().StreamRangeAsync(SpanStream.Key);
        return [.. entries.Select(entry => ((byte[])entry.Values.Single(field => field.Name == SpanStream.SpansField).Value!).LongLength)];
    }

    /// <summary>Polls the stream until <paramref name="found"/> holds or <paramref name="timeout"/> passes.</summary>
    public async Task<IReadOnlyList<SpanBatch>> WaitForBatchesAsync(Func<IReadOnlyList<SpanBatch>, bool> found, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            IReadOnlyList<SpanBatch> batches;
            try
            {
                batches = await ReadBatchesAsync();
            }
            catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException)
            {
                // The test's own client reconnects after a restart like any other.
                batches = [];
            }

            if (found(batches) || DateTime.UtcNow > deadline)
            {
                return batches;
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (client is not null)
        {
            await client.DisposeAsync();
        }

        Kill();
        Directory.Delete(directory, recursive: true);
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync(IPAddress.Loopback, Port);
            var stream = socket.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var reply = new byte[7];
            var read = await stream.ReadAsync(reply);
            return Encoding.ASCII.GetString(reply, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
