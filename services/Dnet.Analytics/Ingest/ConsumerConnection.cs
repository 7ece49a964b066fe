using StackExchange.Redis;

namespace Dnet.Analytics.Ingest;

/// <summary>
/// The consumer's own Redis connection. A blocking <c>XREADGROUP</c> holds its connection for the block time, so it
/// must not share the multiplexer that serves health checks and status queries. Connecting never throws for an
/// unreachable server; the multiplexer keeps reconnecting by itself.
/// </summary>
internal sealed class ConsumerConnection : IAsyncDisposable
{
    public const string ConnectionName = "redis";

    private readonly Lazy<Task<ConnectionMultiplexer>> connecting;

    public ConsumerConnection(IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} is not set; analytics needs the Redis holding the span stream.");
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;

        // Reconnect within about a second after an outage: spans queue up in the stream meanwhile.
        options.ReconnectRetryPolicy = new LinearRetry(500);
        options.HeartbeatInterval = TimeSpan.FromSeconds(1);
        options.ClientName = "dnet-analytics-consumer";
        connecting = new(() => ConnectionMultiplexer.ConnectAsync(options));
    }

    public async Task<IDatabase> GetDatabaseAsync(CancellationToken cancellationToken)
    {
        var multiplexer = await connecting.Value.WaitAsync(cancellationToken);
        if (!multiplexer.IsConnected)
        {
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not connected");
        }

        return multiplexer.GetDatabase();
    }

    public async ValueTask DisposeAsync()
    {
        if (connecting.IsValueCreated)
        {
            await (await connecting.Value).DisposeAsync();
        }
    }
}
