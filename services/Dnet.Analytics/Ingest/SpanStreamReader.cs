using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dnet.Analytics.Ingest;

/// <summary>The consumer-group commands on the span stream, for one consumer.</summary>
internal sealed class SpanStreamReader(IOptions<AnalyticsOptions> options)
{
    private const string StreamStart = "0-0";
    private const int MaxPendingSkipped = 100_000;

    private readonly AnalyticsOptions settings = options.Value;

    public string Consumer => settings.Consumer;

    /// <summary>Creates the group (and the stream) if missing, from the start of the stream so nothing in it is missed.</summary>
    public async Task EnsureGroupAsync(IDatabase database)
    {
        try
        {
            await database.StreamCreateConsumerGroupAsync(settings.Stream, settings.Group, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists: its position and pending entries are what we resume from.
        }
    }

    /// <summary>Entries delivered to this consumer earlier and never acknowledged, after <paramref name="afterId"/>.</summary>
    public async Task<IReadOnlyList<StreamMessage>> ReadPendingAsync(IDatabase database, string afterId) =>
        StreamReadReply.From(await database.StreamReadGroupAsync(
            settings.Stream, settings.Group, settings.Consumer, afterId, settings.ReadCount));

    /// <summary>New entries, waiting up to the block time for some to arrive.</summary>
    public async Task<IReadOnlyList<StreamMessage>> ReadNewAsync(IDatabase database) =>
        StreamReadReply.Parse(await database.ExecuteAsync(
            "XREADGROUP",
            "GROUP", settings.Group, settings.Consumer,
            "COUNT", settings.ReadCount,
            "BLOCK", settings.BlockMilliseconds,
            "STREAMS", settings.Stream, ">"));

    /// <summary>Takes over entries pending too long on other consumers, from <paramref name="startId"/>.</summary>
    public async Task<ClaimPage> ClaimIdleAsync(IDatabase database, string startId)
    {
        var result = await database.StreamAutoClaimAsync(
            settings.Stream, settings.Group, settings.Consumer, settings.ClaimIdleMilliseconds, startId, settings.ReadCount);
        var deleted = result.DeletedIds.Select(id => new StreamMessage(id!, null));
        return new ClaimPage([.. StreamReadReply.From(result.ClaimedEntries), .. deleted], result.NextStartId!);
    }

    /// <summary>
    /// Entries of the stream after <paramref name="afterId"/> (<c>null</c>: from the start), read without the group: the
    /// stream is the durable log, the store only a cache of it, so a restarted service rebuilds the store from it.
    /// </summary>
    public async Task<IReadOnlyList<StreamMessage>> ReadHistoryAsync(IDatabase database, string? afterId) =>
        StreamReadReply.From(await database.StreamRangeAsync(
            settings.Stream, afterId is null ? "-" : $"({afterId}", "+", settings.ReadCount));

    /// <summary>
    /// What an earlier run has acknowledged: entries up to the group's last delivered id, less those still pending
    /// (those come back through the pending list). <c>null</c> when the group has delivered nothing yet.
    /// </summary>
    public async Task<AcknowledgedRange?> AcknowledgedRangeAsync(IDatabase database)
    {
        var group = (await database.StreamGroupInfoAsync(settings.Stream)).FirstOrDefault(g => g.Name == settings.Group);
        if (group.Name is null || group.LastDeliveredId is not { } last || last == StreamStart)
        {
            return null;
        }

        var pending = await database.StreamPendingMessagesAsync(
            settings.Stream, settings.Group, MaxPendingSkipped, RedisValue.Null);
        return new AcknowledgedRange(StreamId.Parse(last), pending.Select(p => (string)p.MessageId!).ToHashSet());
    }

    public Task<long> AcknowledgeAsync(IDatabase database, IEnumerable<StreamMessage> messages) =>
        database.StreamAcknowledgeAsync(settings.Stream, settings.Group, [.. messages.Select(m => (RedisValue)m.Id)]);
}

/// <summary>One page of <c>XAUTOCLAIM</c>: the entries now owned by this consumer and where the scan continues.</summary>
/// <param name="Messages">Claimed entries; trimmed ones without fields.</param>
/// <param name="NextStartId"><c>0-0</c> when the scan is complete.</param>
internal sealed record ClaimPage(IReadOnlyList<StreamMessage> Messages, string NextStartId);
