using Dnet.Contracts.Tracing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>
/// Keeps this node's <see cref="FrameGate"/> in step with the cluster: subscribes to
/// <see cref="TraceControlChannel.Channel"/> (changes arrive in milliseconds), then reads the stored state; reads it
/// again after every reconnect, since changes published while this node was cut off are not replayed.
/// </summary>
internal sealed class TraceControlSubscriber(
    TraceRedisConnection redis,
    FrameGate gate,
    ILogger<TraceControlSubscriber> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ConnectionMultiplexer connection;
        try
        {
            connection = await redis.GetAsync().WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (RedisException exception)
        {
            // A faulted background service would stop the host: a node without trace control still serves.
            logger.LogWarning(exception, "No trace control connection; this node keeps its local trace state");
            return;
        }

        connection.ConnectionRestored += (_, _) => _ = ReloadAsync(connection);

        var channel = RedisChannel.Literal(TraceControlChannel.Channel);
        while (true)
        {
            try
            {
                // Subscriptions survive reconnects; only the first one must succeed.
                await connection.GetSubscriber()
                    .SubscribeAsync(channel, (_, message) => Apply(TraceControlStore.Parse(message)))
                    .ConfigureAwait(false);
                break;
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException or InvalidOperationException)
            {
                await Task.Delay(RetryDelay, stoppingToken).ConfigureAwait(false);
            }
        }

        await ReloadAsync(connection).ConfigureAwait(false);
    }

    private async Task ReloadAsync(ConnectionMultiplexer connection)
    {
        try
        {
            Apply(await TraceControlStore.ReadAsync(connection.GetDatabase()).ConfigureAwait(false));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or InvalidOperationException)
        {
            logger.LogDebug(exception, "Trace control state not readable yet; keeping revision {Revision}", gate.Current.Revision);
        }
    }

    private void Apply(TraceControlMessage? message)
    {
        if (message is not null)
        {
            gate.Apply(message);
        }
    }
}
