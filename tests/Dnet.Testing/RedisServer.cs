using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace Dnet.Testing;

/// <summary>
/// A real <c>redis-server</c> process of a test's own, on loopback, that the test can kill (an outage: SIGKILL, nothing
/// flushed on the way out), freeze, thaw and start again on the same port and data directory.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    // How long a starting server may take to answer: generous, because tests share two cores with whole clusters.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private const int OutputLinesKept = 20;

    private readonly ConcurrentQueue<string> output = new();
    private Process? process;
    private ConnectionMultiplexer? client;

    private RedisServer(int port, RedisPersistence persistence)
    {
        Port = port;
        Persistence = persistence;
    }

    /// <summary>The loopback port the server listens on; it keeps it across restarts.</summary>
    public int Port { get; }

    /// <summary>What a restart keeps.</summary>
    public RedisPersistence Persistence { get; }

    /// <summary>
    /// The server's working directory, a temp directory of its own that it keeps across restarts (where its append-only
    /// file lives, with <see cref="RedisPersistence.AppendOnly"/>) and deletes when disposed.
    /// </summary>
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("dnet-test-redis-").FullName;

    /// <summary>The StackExchange.Redis connection string, as the services take it in <c>ConnectionStrings:redis</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Whether the process runs (false after <see cref="KillAsync"/> until <see cref="RestartAsync"/>).</summary>
    public bool IsRunning => process is { HasExited: false };

    /// <summary>
    /// Starts a server and returns once it answers PING.
    /// </summary>
    /// <param name="persistence">Whether a restart keeps the data.</param>
    /// <param name="port">The port to listen on (say, one a service was told before Redis is up); by default a free one.</param>
    public static async Task<RedisServer> StartAsync(RedisPersistence persistence = RedisPersistence.None, int? port = null)
    {
        var server = new RedisServer(port ?? FreePort(), persistence);
        try
        {
            await server.RestartAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Starts the killed server again on the same port and data directory (empty, or reading its append-only file back,
    /// by <see cref="Persistence"/>) and returns once it answers PING and the client of <see cref="DatabaseAsync"/>, if
    /// one was made, is connected again.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server still runs, or did not come up.</exception>
    public async Task RestartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"redis-server on port {Port} still runs: kill it before starting it again");
        }

        process?.Dispose();
        output.Clear();
        process = Process.Start(StartInfo()) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + StartTimeout;
        while (!await AnswersPingAsync(deadline))
        {
            if (DateTime.UtcNow > deadline || process.HasExited)
            {
                if (process.HasExited)
                {
                    // Until its output is read to the end, so the message below carries why it exited.
                    await process.WaitForExitAsync();
                }

                throw new InvalidOperationException(
                    $"redis-server on port {Port} did not answer PING within {StartTimeout.TotalSeconds} s; it said:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
            }

            await Task.Delay(20);
        }

        if (client is not null)
        {
            await WaitUntilReconnectedAsync(client, deadline);
        }
    }

    /// <summary>
    /// Waits until redis-server has written every command it answered to its append-only file, so that a process kill
    /// loses none of them. With <c>appendfsync everysec</c> Redis answers a write at once but, while an earlier fsync
    /// is still running on a slow disk, holds the file write back for up to two seconds (<c>aof_buffer_length</c> in
    /// <c>INFO persistence</c> is then above 0); a kill in that window loses acknowledged writes, as on any Redis.
    /// </summary>
    public async Task WaitUntilAppendOnlyFileWrittenAsync(TimeSpan timeout)
    {
        var database = await DatabaseAsync();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            string info = (string)(await database.ExecuteAsync("INFO", "persistence"))!;
            string? buffered = info.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.StartsWith("aof_buffer_length:", StringComparison.Ordinal));
            if (buffered is null)
            {
                throw new InvalidOperationException($"redis-server on port {Port} reports no aof_buffer_length: is the append-only file on?");
            }

            if (buffered == "aof_buffer_length:0")
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"redis-server on port {Port} still holds {buffered} after {timeout.TotalSeconds} s");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>SIGKILL: a crash, not a shutdown (nothing is flushed on the way out). Does nothing if it is not running.</summary>
    public async Task KillAsync()
    {
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        process = null;
    }

    /// <summary>Stops the process where it is (SIGSTOP): connections stay open and nothing answers.</summary>
    public void Freeze() => Signal("STOP");

    /// <summary>Lets a frozen server run again (SIGCONT).</summary>
    public void Thaw() => Signal("CONT");

    /// <summary>
    /// A database on the server's own client: made on first use, reconnecting by itself after a restart, and disposed
    /// with the server.
    /// </summary>
    public async Task<IDatabase> DatabaseAsync() => (await ClientAsync()).GetDatabase();

    /// <summary>Pub/sub on the server's own client (see <see cref="DatabaseAsync"/>).</summary>
    public async Task<ISubscriber> SubscriberAsync() => (await ClientAsync()).GetSubscriber();

    /// <summary>A new client that the caller owns and disposes (it reconnects by itself after a restart).</summary>
    public async Task<ConnectionMultiplexer> ConnectAsync() => await ConnectionMultiplexer.ConnectAsync(ClientOptions());

    /// <summary>Kills the server, disposes its client and deletes its data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (client is not null)
        {
            await client.DisposeAsync();
            client = null;
        }

        await KillAsync();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private ProcessStartInfo StartInfo()
    {
        // The Debian package's path first: a test run's PATH may lack /usr/bin; elsewhere, whatever PATH finds.
        const string DebianExecutable = "/usr/bin/redis-server";
        var start = new ProcessStartInfo(File.Exists(DebianExecutable) ? DebianExecutable : "redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] persistence = Persistence == RedisPersistence.AppendOnly
            ? ["--appendonly", "yes", "--appendfsync", "everysec"]
            : ["--appendonly", "no"];
        // No RDB snapshots either way: a snapshot taken in the background would make what a kill loses depend on timing.
        string[] arguments = ["--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--dir", DataDirectory, .. persistence];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > OutputLinesKept)
        {
            output.TryDequeue(out _);
        }
    }

    /// <summary>
    /// Whether PING answers PONG, on a raw socket rather than a client: a server reading its append-only file back
    /// accepts connections but answers <c>-LOADING</c>, and a client would only report that as a failed command.
    /// </summary>
    private async Task<bool> AnswersPingAsync(DateTime deadline)
    {
        using var timeout = new CancellationTokenSource(Max(deadline - DateTime.UtcNow, TimeSpan.FromMilliseconds(1)));
        try
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            var stream = socket.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var reply = new byte[64];
            var read = await stream.ReadAsync(reply, timeout.Token);
            return Encoding.ASCII.GetString(reply, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
        {
            // Not listening yet, or gone.
            return false;
        }
    }

    private static async Task WaitUntilReconnectedAsync(ConnectionMultiplexer connected, DateTime deadline)
    {
        while (true)
        {
            try
            {
                await connected.GetDatabase().PingAsync();
                return;
            }
            catch (Exception exception) when (exception is RedisException or RedisTimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
    }

    private async Task<ConnectionMultiplexer> ClientAsync() => client ??= await ConnectionMultiplexer.ConnectAsync(ClientOptions());

    private ConfigurationOptions ClientOptions() => new()
    {
        EndPoints = { ConnectionString },
        // A test may connect while the server is down on purpose; the client connects once it is back.
        AbortOnConnectFail = false,
        ConnectTimeout = 1000,
        ReconnectRetryPolicy = new LinearRetry(100),
    };

    private void Signal(string signal)
    {
        if (process is not { HasExited: false } running)
        {
            throw new InvalidOperationException($"redis-server on port {Port} is not running: there is nothing to {signal}");
        }

        using var kill = Process.Start("kill", [$"-{signal}", running.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {running.Id} failed with exit code {kill.ExitCode}");
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
