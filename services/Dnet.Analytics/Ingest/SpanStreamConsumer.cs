using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dnet.Analytics.Ingest;

/// <summary>
/// Reads the span stream as a consumer group. On every (re)connect it first finishes the entries this consumer read
/// but never acknowledged, then takes over entries other consumers left pending too long, then reads new entries.
/// Each entry is stored, then acknowledged: a crash between the two re-delivers it, and the store counts it once.
/// Redis failures never stop the loop; it retries with a doubling delay. Before all that, once per process, it reads
/// the whole stream back into the store (entries earlier runs acknowledged), so a restart loses no history that the
/// stream still holds.
/// </summary>
internal sealed partial class SpanStreamConsumer(
    ConsumerConnection connection,
    SpanStreamReader reader,
    SpanBatchIngestor ingestor,
    ConsumerState state,
    IOptions<AnalyticsOptions> options,
    TimeProvider clock,
    ILogger<SpanStreamConsumer> logger) : BackgroundService
{
    private const string StreamStart = "0-0";

    private readonly AnalyticsOptions settings = options.Value;
    private bool historyReplayed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        state.Started();
        var retryDelay = TimeSpan.FromMilliseconds(settings.RetryMinMilliseconds);
        var outage = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var database = await connection.GetDatabaseAsync(stoppingToken);
                    await reader.EnsureGroupAsync(database);
                    if (!historyReplayed)
                    {
                        await ReplayHistoryAsync(database);
                        historyReplayed = true;
                    }

                    await RecoverPendingAsync(database);
                    if (outage)
                    {
                        outage = false;
                        LogResumed(settings.Stream);
                    }

                    retryDelay = TimeSpan.FromMilliseconds(settings.RetryMinMilliseconds);
                    await ReadLoopAsync(database, stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    // Redis down, the group deleted by a Redis restart, or a bug: log, wait, start over from the pending list.
                    state.Failed(exception);
                    if (!outage)
                    {
                        // One warning per outage; /analytics/status counts every failed attempt.
                        outage = true;
                        LogReadFailed(exception, settings.Stream, retryDelay.TotalMilliseconds);
                    }

                    await Task.Delay(retryDelay, clock, stoppingToken);
                    retryDelay = TimeSpan.FromMilliseconds(Math.Min(retryDelay.TotalMilliseconds * 2, settings.RetryMaxMilliseconds));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            state.Stopped();
        }
    }

    private async Task ReadLoopAsync(IDatabase database, CancellationToken stoppingToken)
    {
        var nextClaim = clock.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            if (clock.GetUtcNow() >= nextClaim)
            {
                await ClaimIdleAsync(database);
                nextClaim = clock.GetUtcNow().AddMilliseconds(settings.ClaimIntervalMilliseconds);
            }

            var messages = await reader.ReadNewAsync(database);
            state.Polled();
            await ProcessAsync(database, messages, EntrySource.New);
        }
    }

    /// <summary>
    /// Reads back into the store the entries earlier runs acknowledged (the group never delivers those again); pending
    /// and undelivered entries are left to the group's own reads, so no entry is ingested twice.
    /// </summary>
    private async Task ReplayHistoryAsync(IDatabase database)
    {
        if (await reader.AcknowledgedRangeAsync(database) is not { } acknowledged)
        {
            return;
        }

        string? after = null;
        var replayed = 0;
        while (true)
        {
            var messages = await reader.ReadHistoryAsync(database, after);
            var history = messages.Where(m => acknowledged.Contains(m.Id)).ToList();
            state.Read(history.Count, EntrySource.History);
            foreach (var message in history)
            {
                state.Ingested(ingestor.Ingest(message));
            }

            replayed += history.Count;
            if (messages.Count == 0 || acknowledged.IsPast(messages[^1].Id))
            {
                break;
            }

            after = messages[^1].Id;
        }

        if (replayed > 0)
        {
            LogReplayed(replayed, settings.Stream);
        }
    }

    /// <summary>Re-reads this consumer's pending entries (id 0 and onwards) until none is left.</summary>
    private async Task RecoverPendingAsync(IDatabase database)
    {
        var after = StreamStart;
        while (true)
        {
            var messages = await reader.ReadPendingAsync(database, after);
            state.Polled();
            if (messages.Count == 0)
            {
                return;
            }

            LogRecovering(messages.Count, reader.Consumer);
            await ProcessAsync(database, messages, EntrySource.OwnPending);
            after = messages[^1].Id;
        }
    }

    private async Task ClaimIdleAsync(IDatabase database)
    {
        var start = StreamStart;
        do
        {
            var page = await reader.ClaimIdleAsync(database, start);
            if (page.Messages.Count > 0)
            {
                LogClaimed(page.Messages.Count, settings.ClaimIdleMilliseconds);
                await ProcessAsync(database, page.Messages, EntrySource.Claimed);
            }

            start = page.NextStartId;
        }
        while (start != StreamStart);
    }

    private async Task ProcessAsync(IDatabase database, IReadOnlyList<StreamMessage> messages, EntrySource source)
    {
        if (messages.Count == 0)
        {
            return;
        }

        state.Read(messages.Count, source);
        foreach (var message in messages)
        {
            state.Ingested(ingestor.Ingest(message));
        }

        // Only after storing: an entry acknowledged before it is stored would be lost by a crash in between.
        state.Acknowledged(await reader.AcknowledgeAsync(database, messages));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading span stream {Stream} failed; retrying in {DelayMs} ms")]
    private partial void LogReadFailed(Exception exception, string stream, double delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt the span store from {Count} entries of {Stream}")]
    private partial void LogReplayed(int count, string stream);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading span stream {Stream} again")]
    private partial void LogResumed(string stream);

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-reading {Count} entries consumer {Consumer} had read but not acknowledged")]
    private partial void LogRecovering(int count, string consumer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Took over {Count} entries pending on other consumers for over {IdleMs} ms")]
    private partial void LogClaimed(int count, int idleMs);
}
