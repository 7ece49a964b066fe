namespace Dnet.Analytics.Ingest;

/// <summary>
/// One exporter instance, as seen from its batches: <paramref name="ExportedSpans"/> = <paramref name="StoredSpans"/> +
/// <paramref name="BufferedSpans"/> + <paramref name="DroppedSpans"/> + <paramref name="InFlightSpans"/>, as of its
/// latest batch.
/// </summary>
/// <param name="Node">Node that emitted the batches.</param>
/// <param name="Service">Emitting service.</param>
/// <param name="Instance">Process instance id.</param>
/// <param name="LastSeq">Highest batch sequence number read.</param>
/// <param name="Batches">Distinct batches read.</param>
/// <param name="ExportedSpans">Spans the exporter had taken in when it sent its latest batch; null from a producer that does not report it.</param>
/// <param name="StoredSpans">Spans in the distinct batches read and stored here.</param>
/// <param name="BufferedSpans">Spans the exporter held unwritten behind its latest batch (its queue and outage buffer).</param>
/// <param name="DroppedSpans">Spans the exporter reported it gave up (its latest cumulative count).</param>
/// <param name="InFlightSpans">The rest: written to the stream and not read here yet (or trimmed before they were).</param>
/// <param name="MissingBatches">Sequence numbers below <paramref name="LastSeq"/> never read.</param>
/// <param name="DuplicateBatches">Batches read more than once (redeliveries; counted once in the store).</param>
/// <param name="LastBatchAt">When its latest batch was read.</param>
public sealed record ExporterStats(
    string Node,
    string Service,
    string Instance,
    long LastSeq,
    long Batches,
    long? ExportedSpans,
    long StoredSpans,
    long? BufferedSpans,
    long DroppedSpans,
    long? InFlightSpans,
    long MissingBatches,
    long DuplicateBatches,
    DateTimeOffset LastBatchAt);
