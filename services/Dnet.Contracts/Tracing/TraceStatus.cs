namespace Dnet.Contracts.Tracing;

/// <summary>The answer of <c>GET /v1/trace</c> (and of a successful <c>POST</c>): the control state as this node holds it, and its exporter counters.</summary>
/// <param name="Node">This node.</param>
/// <param name="Enabled">Whether frames are recorded.</param>
/// <param name="IncludePrefixes">Recorded frame-name prefixes (empty: all).</param>
/// <param name="Revision">Revision of the applied state.</param>
/// <param name="Exporter">This node's span stream exporter.</param>
public sealed record TraceStatus(
    string Node,
    bool Enabled,
    IReadOnlyList<string> IncludePrefixes,
    long Revision,
    SpanExporterStatus Exporter);

/// <summary>
/// Counters of one node's span stream exporter since its process started. Every span the exporter took in is written,
/// buffered or dropped: <paramref name="ExportedSpans"/> = <paramref name="WrittenSpans"/> + <paramref name="BufferedSpans"/>
/// + <paramref name="DroppedSpans"/>.
/// </summary>
/// <param name="Sink">Where spans go: <c>redis</c>, or <c>none</c> when the node has no Redis connection string.</param>
/// <param name="ExportedSpans">Finished frames the exporter took in.</param>
/// <param name="WrittenSpans">Spans written to the stream.</param>
/// <param name="BufferedSpans">Spans taken in and not written yet: queued for batching, or held in the outage buffer.</param>
/// <param name="DroppedSpans">Spans given up: the queue or the buffer was full, or they were left over at shutdown.</param>
/// <param name="BufferedBytes">Encoded bytes held in the outage buffer.</param>
/// <param name="BufferCapacityBytes">The outage buffer's cap (<c>Dnet:Tracing:BufferCapacityBytes</c>).</param>
/// <param name="Batches">Stream entries written.</param>
/// <param name="FailedWrites">Writes that failed; their batch stayed in the buffer and was tried again.</param>
public sealed record SpanExporterStatus(
    string Sink,
    long ExportedSpans,
    long WrittenSpans,
    long BufferedSpans,
    long DroppedSpans,
    long BufferedBytes,
    long BufferCapacityBytes,
    long Batches,
    long FailedWrites);
