using StackExchange.Redis;

namespace Dnet.ServiceDefaults.Cluster.Membership;

/// <summary>
/// Reads the cluster's members from Redis: every name in the index whose record still exists (records expire when
/// heartbeats stop, so what this returns is alive within the member TTL). Names whose record is gone are pruned from
/// the index on the way. <see cref="WatchAsync"/> hands on join/leave events as they are published.
/// </summary>
public sealed class ClusterMembers
{
    private readonly MembershipRedis redis;

    internal ClusterMembers(MembershipRedis redis) => this.redis = redis;

    /// <summary>The live members, in name order (shard-2 before shard-10). Throws <see cref="RedisException"/> when Redis is unreachable.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async Task<IReadOnlyList<ClusterMember>> ListAsync(CancellationToken cancellationToken)
    {
        var database = await redis.DatabaseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var names = await database.SortedSetRangeByRankAsync(MembershipKeys.Index).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (names.Length == 0)
        {
            return [];
        }

        var records = await database.StringGetAsync([.. names.Select(name => (RedisKey)MembershipKeys.Member(name!))])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        var members = new List<ClusterMember>(names.Length);
        var expired = new List<RedisValue>();
        for (var i = 0; i < names.Length; i++)
        {
            if (ClusterMember.Parse(records[i]) is { } member)
            {
                members.Add(member);
            }
            else
            {
                expired.Add(names[i]);
            }
        }

        if (expired.Count > 0)
        {
            // Idempotent and harmless when a member re-registered meanwhile: its next heartbeat adds it back.
            await database.SortedSetRemoveAsync(MembershipKeys.Index, [.. expired], CommandFlags.FireAndForget).ConfigureAwait(false);
        }

        return [.. members.OrderBy(m => m.Node.Length).ThenBy(m => m.Node, StringComparer.Ordinal)];
    }

    /// <summary>Calls <paramref name="onEvent"/> for each join/leave event published from now on (also after reconnects).</summary>
    /// <param name="onEvent">Called on a Redis thread: keep it short.</param>
    /// <param name="cancellationToken">Stops waiting for the subscription.</param>
    public async Task WatchAsync(Action<MembershipEvent> onEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        var subscriber = await redis.SubscriberAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        await subscriber.SubscribeAsync(RedisChannel.Literal(MembershipKeys.Channel), (_, message) =>
        {
            if (MembershipEvent.Parse(message) is { } parsed)
            {
                onEvent(parsed);
            }
        }).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
