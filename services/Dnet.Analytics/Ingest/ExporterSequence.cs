using Dnet.Contracts.Tracing;

namespace Dnet.Analytics.Ingest;

/// <summary>
/// One exporter instance's batch sequence. Batches normally arrive in order; a jump marks the skipped numbers
/// missing, and a late arrival (a claimed or re-read entry) fills its gap again. The exporter's counters are taken from
/// the highest-numbered batch read: they describe the exporter as it was when it sent that batch.
/// </summary>
internal sealed class ExporterSequence(string node, string service, string instance)
{
    // Beyond this many remembered gaps only the count is kept: a long outage must not grow memory.
    private const int MaxTrackedGaps = 4096;

    private readonly SortedSet<long> missing = [];
    private long untrackedMissing;
    private long highestSeq;
    private long batches;
    private long spans;
    private long dropped;
    private long? exported;
    private long? buffered;
    private long duplicates;

    public string Instance { get; } = instance;

    public DateTimeOffset LastBatchAt { get; private set; }

    public bool Record(SpanBatch batch, DateTimeOffset now)
    {
        if (batch.Seq <= highestSeq && !missing.Remove(batch.Seq))
        {
            duplicates++;
            return false;
        }

        for (var seq = highestSeq + 1; seq < batch.Seq; seq++)
        {
            if (missing.Count < MaxTrackedGaps)
            {
                missing.Add(seq);
            }
            else
            {
                untrackedMissing += batch.Seq - seq;
                break;
            }
        }

        if (batch.Seq > highestSeq)
        {
            highestSeq = batch.Seq;
            exported = batch.Exported;
            buffered = batch.Buffered;
        }

        batches++;
        spans += batch.Spans.Count;
        dropped = Math.Max(dropped, batch.Dropped);
        LastBatchAt = now;
        return true;
    }

    public ExporterStats Stats()
    {
        // Exported = stored + buffered + dropped + in flight: what is neither here, nor held by the node, nor given up,
        // was written to the stream and not read yet (or never will be: trimmed, lost with a Redis that lost data).
        long? inFlight = exported is { } taken && buffered is { } held ? taken - spans - held - dropped : null;
        return new(node, service, Instance, highestSeq, batches, exported, spans, buffered, dropped, inFlight,
            missing.Count + untrackedMissing, duplicates, LastBatchAt);
    }
}
