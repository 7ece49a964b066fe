using Dnet.Contracts.Tracing;

namespace Dnet.Analytics.Ingest;

/// <summary>
/// What each node's span exporter delivered and lost, as told by its batches: the drop count it reports, and the
/// batches missing from its sequence (written to the stream but never read, e.g. trimmed, or lost on the way).
/// One entry per exporter instance (a restarted process starts a new sequence); the oldest instances are forgotten
/// past <see cref="MaxInstances"/>.
/// </summary>
internal sealed class ExporterLedger(TimeProvider clock)
{
    private const int MaxInstances = 256;

    private readonly Lock gate = new();
    private readonly Dictionary<string, ExporterSequence> instances = new(StringComparer.Ordinal);

    /// <summary>Records a batch; returns false when the same batch was seen before (a redelivery).</summary>
    public bool Record(SpanBatch batch)
    {
        lock (gate)
        {
            if (!instances.TryGetValue(batch.Instance, out var sequence))
            {
                if (instances.Count >= MaxInstances)
                {
                    var oldest = instances.Values.MinBy(s => s.LastBatchAt)!;
                    instances.Remove(oldest.Instance);
                }

                sequence = new ExporterSequence(batch.Node, batch.Service, batch.Instance);
                instances.Add(batch.Instance, sequence);
            }

            return sequence.Record(batch, clock.GetUtcNow());
        }
    }

    public IReadOnlyList<ExporterStats> Snapshot()
    {
        lock (gate)
        {
            return [.. instances.Values
                .Select(s => s.Stats())
                .OrderBy(s => s.Node, StringComparer.Ordinal)
                .ThenByDescending(s => s.LastBatchAt)];
        }
    }
}

/// <summary>
/// One exporter instance's batch sequence. Batches normally arrive in order; a jump marks the skipped numbers
/// missing, and a late arrival (a claimed or re-read entry) fills its gap again.
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

        highestSeq = Math.Max(highestSeq, batch.Seq);
        batches++;
        spans += batch.Spans.Count;
        dropped = Math.Max(dropped, batch.Dropped);
        LastBatchAt = now;
        return true;
    }

    public ExporterStats Stats() =>
        new(node, service, Instance, highestSeq, batches, spans, dropped, missing.Count + untrackedMissing, duplicates, LastBatchAt);
}

/// <summary>One exporter instance, as seen from its batches.</summary>
/// <param name="Node">Node that emitted the batches.</param>
/// <param name="Service">Emitting service.</param>
/// <param name="Instance">Process instance id.</param>
/// <param name="LastSeq">Highest batch sequence number read.</param>
/// <param name="Batches">Distinct batches read.</param>
/// <param name="Spans">Spans in those batches.</param>
/// <param name="DroppedSpans">Spans the exporter reported it could not deliver (its latest cumulative count).</param>
/// <param name="MissingBatches">Sequence numbers below <paramref name="LastSeq"/> never read.</param>
/// <param name="DuplicateBatches">Batches read more than once (redeliveries; counted once in the store).</param>
/// <param name="LastBatchAt">When its latest batch was read.</param>
public sealed record ExporterStats(
    string Node,
    string Service,
    string Instance,
    long LastSeq,
    long Batches,
    long Spans,
    long DroppedSpans,
    long MissingBatches,
    long DuplicateBatches,
    DateTimeOffset LastBatchAt);
