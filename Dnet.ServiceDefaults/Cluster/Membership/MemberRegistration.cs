using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dnet.ServiceDefaults.Cluster.Membership;

/// <summary>
/// Makes this process a member: once it listens, it claims its name in Redis, refreshes the record every heartbeat
/// interval and publishes a join; on a clean shutdown (Ctrl+C, SIGTERM) it removes the record and publishes a leave.
/// A name held by another live instance is waited for (a restarted member's old record expires within the TTL); one
/// still held after three TTLs stops this process with an error that names the holder.
/// </summary>
internal sealed partial class MemberRegistration(
    MembershipRedis redis,
    MemberRegistrationState state,
    Func<ClusterMember> describe,
    IOptions<MembershipOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<MemberRegistration> logger) : BackgroundService
{
    // Atomic claim: refresh our own record, create a missing one, never overwrite another instance's.
    // Returns 2 when the record was created (a join), 1 when refreshed, 0 when another instance holds the name.
    private static readonly LuaScript Claim = LuaScript.Prepare("""
        local current = redis.call('GET', @member)
        if current then
          local ok, record = pcall(cjson.decode, current)
          if ok and record['instance'] ~= @instance then return 0 end
        end
        local now = redis.call('TIME')
        local expiry = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + tonumber(@ttl)
        redis.call('SET', @member, @record, 'PX', @ttl)
        redis.call('ZADD', @index, expiry, @node)
        if current then return 1 end
        return 2
        """);

    private static readonly LuaScript Release = LuaScript.Prepare("""
        local current = redis.call('GET', @member)
        if current then
          local ok, record = pcall(cjson.decode, current)
          if ok and record['instance'] == @instance then
            redis.call('DEL', @member)
            redis.call('ZREM', @index, @node)
            return 1
          end
        end
        return 0
        """);

    private ClusterMember? member;
    private int left;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The advertised address names a port that must be listening before anyone is told about it.
        if (!await StartedAsync(stoppingToken).ConfigureAwait(false))
        {
            return;
        }

        member = describe();
        state.Describe(member);
        // Leave as soon as shutdown begins, before the web server drains its long-lived streams: nobody should plan
        // with a member that is going away.
        using var leaving = lifetime.ApplicationStopping.Register(() => LeaveAsync(CancellationToken.None).GetAwaiter().GetResult());
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.HeartbeatInterval);
        DateTime? heldSince = null;
        do
        {
            if (Volatile.Read(ref left) == 1)
            {
                return;
            }

            try
            {
                var claimed = await ClaimAsync(member, settings.MemberTtl).ConfigureAwait(false);
                if (Volatile.Read(ref left) == 1)
                {
                    // Shutdown began while this heartbeat was on its way: take back what it may have re-created.
                    await ReleaseAsync(member).ConfigureAwait(false);
                    return;
                }

                if (claimed == 0)
                {
                    heldSince ??= DateTime.UtcNow;
                    if (await HolderAsync(member.Node).ConfigureAwait(false) is { } holder && DateTime.UtcNow - heldSince > 3 * settings.MemberTtl)
                    {
                        LogNameTaken(member.Node, holder.Instance, holder.Address, holder.Host);
                        state.Failed($"the name {member.Node} is held by another live member ({holder.Address} on {holder.Host})");
                        lifetime.StopApplication();
                        return;
                    }

                    state.Failed($"waiting for the name {member.Node} to be released by another instance");
                    continue;
                }

                heldSince = null;
                state.Beat();
                if (claimed == 2)
                {
                    LogJoined(member.Node, member.Address, member.Source);
                    await PublishAsync(new MembershipEvent(MembershipEvent.Joined, member.Node, member.Instance, member.Address)).ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever a heartbeat fails with, the member keeps serving: the Redis client surfaces a dropped
                // connection as a RedisException, a timeout, a cancellation of a command it gave up on, or (seen in CI,
                // a race inside its socket pipe while reconnecting) an InvalidOperationException. The record expires
                // if this lasts, and the next heartbeat that gets through registers it again (a join).
                state.Failed($"heartbeat failed: {exception.Message}");
                LogHeartbeatFailed(member.Node, exception.Message);
            }
        }
        while (await NextBeatAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> NextBeatAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await LeaveAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes this member's record (if it is still ours) and announces the leave; once.</summary>
    private async Task LeaveAsync(CancellationToken cancellationToken)
    {
        if (member is null || Interlocked.Exchange(ref left, 1) == 1)
        {
            return;
        }

        try
        {
            // Bounded: a shutdown must not hang on an unreachable Redis (the record then expires on its own).
            var released = await ReleaseAsync(member).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            if (released)
            {
                await PublishAsync(new MembershipEvent(MembershipEvent.Left, member.Node, member.Instance, member.Address)).ConfigureAwait(false);
                LogLeft(member.Node);
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or OperationCanceledException or InvalidOperationException)
        {
            LogLeaveFailed(member.Node, exception.Message);
        }
    }

    private async Task<bool> StartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return started.Task.IsCompleted;
    }

    private async Task<int> ClaimAsync(ClusterMember self, TimeSpan ttl)
    {
        var database = await redis.DatabaseAsync().ConfigureAwait(false);
        return (int)await Claim.EvaluateAsync(database, Arguments(self, ttl)).ConfigureAwait(false);
    }

    private async Task<bool> ReleaseAsync(ClusterMember self)
    {
        var database = await redis.DatabaseAsync().ConfigureAwait(false);
        return (int)await Release.EvaluateAsync(database, Arguments(self, TimeSpan.Zero)).ConfigureAwait(false) == 1;
    }

    private async Task<ClusterMember?> HolderAsync(string node)
    {
        var database = await redis.DatabaseAsync().ConfigureAwait(false);
        return ClusterMember.Parse(await database.StringGetAsync(MembershipKeys.Member(node)).ConfigureAwait(false));
    }

    private async Task PublishAsync(MembershipEvent change)
    {
        var subscriber = await redis.SubscriberAsync().ConfigureAwait(false);
        await subscriber.PublishAsync(RedisChannel.Literal(MembershipKeys.Channel), change.ToJson()).ConfigureAwait(false);
    }

    private static object Arguments(ClusterMember self, TimeSpan ttl) => new
    {
        member = (RedisKey)MembershipKeys.Member(self.Node),
        index = (RedisKey)MembershipKeys.Index,
        node = self.Node,
        instance = self.Instance,
        record = self.ToJson(),
        ttl = (long)ttl.TotalMilliseconds,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "{Node} joined the cluster at {Address} ({Source})")]
    private partial void LogJoined(string node, string address, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Node} left the cluster")]
    private partial void LogLeft(string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Node}: membership heartbeat failed: {Error}")]
    private partial void LogHeartbeatFailed(string node, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Node} could not leave the cluster cleanly ({Error}); its record expires on its own")]
    private partial void LogLeaveFailed(string node, string error);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "The node name {Node} is taken by another live member (instance {Instance} at {Address} on {Host}); stopping. Give this one another name (Dnet:Node, --name).")]
    private partial void LogNameTaken(string node, string instance, string address, string host);
}
