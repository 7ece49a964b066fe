namespace Dnet.Analytics.Ingest;

/// <summary>What the span stream consumer is doing and has done, for <c>/analytics/status</c> and readiness.</summary>
internal sealed class ConsumerState(TimeProvider clock)
{
    private readonly Lock gate = new();
    private bool running;
    private bool connected;
    private string? lastError;
    private DateTimeOffset? lastErrorAt;
    private DateTimeOffset? lastPollAt;
    private DateTimeOffset? lastEntryAt;
    private long entriesRead;
    private long entriesAcknowledged;
    private long batchesIngested;
    private long malformedEntries;
    private long trimmedEntries;
    private long recoveredEntries;
    private long claimedEntries;
    private long replayedEntries;
    private long redisFailures;

    public void Started()
    {
        lock (gate)
        {
            running = true;
        }
    }

    public void Stopped()
    {
        lock (gate)
        {
            running = false;
            connected = false;
        }
    }

    /// <summary>A Redis round trip of the read loop succeeded.</summary>
    public void Polled()
    {
        lock (gate)
        {
            connected = true;
            lastPollAt = clock.GetUtcNow();
        }
    }

    public void Failed(Exception exception)
    {
        lock (gate)
        {
            connected = false;
            lastError = exception.Message;
            lastErrorAt = clock.GetUtcNow();
            redisFailures++;
        }
    }

    public void Read(int entries, EntrySource source)
    {
        lock (gate)
        {
            entriesRead += entries;
            if (entries > 0)
            {
                lastEntryAt = clock.GetUtcNow();
            }

            if (source == EntrySource.OwnPending)
            {
                recoveredEntries += entries;
            }
            else if (source == EntrySource.Claimed)
            {
                claimedEntries += entries;
            }
            else if (source == EntrySource.History)
            {
                replayedEntries += entries;
            }
        }
    }

    public void Ingested(EntryOutcome outcome)
    {
        lock (gate)
        {
            switch (outcome)
            {
                case EntryOutcome.Stored:
                    batchesIngested++;
                    break;
                case EntryOutcome.Malformed:
                    malformedEntries++;
                    break;
                case EntryOutcome.Trimmed:
                    trimmedEntries++;
                    break;
            }
        }
    }

    public void Acknowledged(long entries)
    {
        lock (gate)
        {
            entriesAcknowledged += entries;
        }
    }

    public ConsumerSnapshot Snapshot()
    {
        lock (gate)
        {
            return new ConsumerSnapshot(
                running, connected, lastPollAt, lastEntryAt, lastError, lastErrorAt, entriesRead, entriesAcknowledged,
                batchesIngested, malformedEntries, trimmedEntries, recoveredEntries, claimedEntries, replayedEntries, redisFailures);
        }
    }
}

/// <summary>Where a read entry came from.</summary>
internal enum EntrySource
{
    /// <summary>Never delivered before.</summary>
    New,

    /// <summary>Delivered to this consumer before a restart or an outage and not acknowledged.</summary>
    OwnPending,

    /// <summary>Taken over from another consumer that stopped acknowledging.</summary>
    Claimed,

    /// <summary>Already acknowledged by an earlier run of this service; read again to rebuild the in-memory store.</summary>
    History,
}

/// <summary>What became of one entry; every outcome is acknowledged.</summary>
internal enum EntryOutcome
{
    Stored,
    Malformed,
    Trimmed,
}

/// <summary>Counters of the span stream consumer.</summary>
/// <param name="Running">The read loop is running.</param>
/// <param name="Connected">Its last Redis round trip succeeded.</param>
/// <param name="LastPollAt">When that round trip was.</param>
/// <param name="LastEntryAt">When an entry was last read.</param>
/// <param name="LastError">The last Redis failure.</param>
/// <param name="LastErrorAt">When it happened.</param>
/// <param name="EntriesRead">Entries read (a redelivered entry counts again).</param>
/// <param name="EntriesAcknowledged">Entries acknowledged.</param>
/// <param name="BatchesIngested">Entries whose spans were stored.</param>
/// <param name="MalformedEntries">Entries that were not a span batch (logged, acknowledged, skipped).</param>
/// <param name="TrimmedEntries">Entries trimmed from the stream before they could be read again.</param>
/// <param name="RecoveredEntries">Entries re-read from this consumer's pending list.</param>
/// <param name="ClaimedEntries">Entries taken over from other consumers.</param>
/// <param name="ReplayedEntries">Entries acknowledged by an earlier run and read again at start to rebuild the store.</param>
/// <param name="RedisFailures">Failed Redis round trips.</param>
public sealed record ConsumerSnapshot(
    bool Running,
    bool Connected,
    DateTimeOffset? LastPollAt,
    DateTimeOffset? LastEntryAt,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    long EntriesRead,
    long EntriesAcknowledged,
    long BatchesIngested,
    long MalformedEntries,
    long TrimmedEntries,
    long RecoveredEntries,
    long ClaimedEntries,
    long ReplayedEntries,
    long RedisFailures);
