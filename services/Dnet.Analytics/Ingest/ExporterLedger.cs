using Dnet.Contracts.Tracing;

namespace Dnet.Analytics.Ingest;

/// <summary>
/// What each node's span exporter took in, holds, lost, and what of it was stored here, as told by its batches: every
/// batch carries the exporter's cumulative counters, and the batches missing from its sequence (written to the stream
/// but never read, e.g. trimmed, or lost on the way) are counted. One entry per exporter instance (a restarted process
/// starts a new sequence); the oldest instances are forgotten past <see cref="MaxInstances"/>.
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
