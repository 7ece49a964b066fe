using Dnet.Analytics.Ingest;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dnet.Analytics.Infrastructure;

/// <summary>The consumer group as Redis sees it: stream length, lag, and what each consumer holds pending.</summary>
internal sealed class StreamStatusReader(IConnectionMultiplexer redis, IOptions<AnalyticsOptions> options)
{
    private readonly AnalyticsOptions settings = options.Value;

    /// <exception cref="RedisException">Redis is unreachable, or the stream or group does not exist yet.</exception>
    public async Task<StreamStatus> ReadAsync()
    {
        if (!redis.IsConnected)
        {
            // Fail at once rather than after the client's timeouts: status must answer quickly during an outage.
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not connected");
        }

        var database = redis.GetDatabase();
        var length = await database.StreamLengthAsync(settings.Stream);
        var groups = await database.StreamGroupInfoAsync(settings.Stream);
        if (groups.FirstOrDefault(g => g.Name == settings.Group) is not { Name: not null } group)
        {
            return new StreamStatus(settings.Stream, settings.Group, length, null, null, null, null, []);
        }

        var consumers = await database.StreamConsumerInfoAsync(settings.Stream, settings.Group);
        return new StreamStatus(
            settings.Stream,
            settings.Group,
            length,
            group.Lag,
            group.PendingMessageCount,
            group.LastDeliveredId,
            group.EntriesRead,
            [.. consumers.Select(c => new StreamConsumerStatus(c.Name!, c.PendingMessageCount, c.IdleTimeInMilliseconds))]);
    }
}

/// <summary>The span stream and this service's consumer group.</summary>
/// <param name="Stream">Stream key.</param>
/// <param name="Group">Consumer group.</param>
/// <param name="Length">Entries in the stream (trimmed by the producers to their cap).</param>
/// <param name="Lag">Entries not yet delivered to the group; null when Redis cannot tell (after trimming or deletions).</param>
/// <param name="Pending">Entries delivered but not acknowledged.</param>
/// <param name="LastDeliveredId">Last entry delivered to the group.</param>
/// <param name="EntriesRead">Entries the group has read over its life.</param>
/// <param name="Consumers">The group's consumers.</param>
public sealed record StreamStatus(
    string Stream,
    string Group,
    long Length,
    long? Lag,
    long? Pending,
    string? LastDeliveredId,
    long? EntriesRead,
    IReadOnlyList<StreamConsumerStatus> Consumers);

/// <summary>One consumer of the group.</summary>
/// <param name="Name">Consumer name.</param>
/// <param name="Pending">Entries delivered to it and not acknowledged.</param>
/// <param name="IdleMs">Since its last read.</param>
public sealed record StreamConsumerStatus(string Name, long Pending, long IdleMs);
