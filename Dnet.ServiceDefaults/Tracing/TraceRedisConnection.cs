using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>
/// The tracing pipeline's own Redis connection, separate from any Redis client a service registers: it must fail fast
/// (no command backlog, short timeouts) so an outage drops spans instead of holding them, and reconnect quickly.
/// Connecting starts at construction and never throws for an unreachable server.
/// </summary>
internal sealed class TraceRedisConnection : IAsyncDisposable, IDisposable
{
    private readonly Task<ConnectionMultiplexer> connecting;

    public TraceRedisConnection(string connectionString, IOptions<TracingOptions> options, NodeIdentity node)
    {
        var timeout = options.Value.RedisTimeoutMilliseconds;
        var configuration = ConfigurationOptions.Parse(connectionString);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ConnectTimeout = timeout;
        configuration.SyncTimeout = timeout;
        configuration.AsyncTimeout = timeout;
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        configuration.HeartbeatInterval = TimeSpan.FromMilliseconds(500);
        configuration.ClientName = $"dnet-trace-{node.Node}";
        connecting = ConnectionMultiplexer.ConnectAsync(configuration);
    }

    /// <summary>The multiplexer once the first connection attempt finished (connected or not).</summary>
    public Task<ConnectionMultiplexer> GetAsync() => connecting;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await (await connecting.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (RedisException)
        {
            // Never connected: nothing to close.
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
