using StackExchange.Redis;

namespace Dnet.ServiceDefaults.Cluster.Membership;

/// <summary>
/// Membership's own Redis connection: short timeouts and no command backlog, so a heartbeat or a read during an outage
/// fails at once and the next tick tries again instead of a queue of stale heartbeats replaying later. Connecting
/// starts at construction and never throws for an unreachable server.
/// </summary>
internal sealed class MembershipRedis : IAsyncDisposable
{
    private readonly Task<ConnectionMultiplexer> connecting;

    public MembershipRedis(string connectionString, string clientName)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = 2000;
        options.SyncTimeout = 2000;
        options.AsyncTimeout = 2000;
        options.ReconnectRetryPolicy = new LinearRetry(500);
        options.ClientName = clientName;
        connecting = ConnectionMultiplexer.ConnectAsync(options);
    }

    public async Task<IDatabase> DatabaseAsync() => (await connecting.ConfigureAwait(false)).GetDatabase();

    public async Task<ISubscriber> SubscriberAsync() => (await connecting.ConfigureAwait(false)).GetSubscriber();

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
}
