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

/// <summary>Counters of one node's span stream exporter since its process started.</summary>
/// <param name="Sink">Where spans go: <c>redis</c>, or <c>none</c> when the node has no Redis connection string.</param>
/// <param name="ExportedSpans">Spans written to the stream.</param>
/// <param name="DroppedSpans">Spans not delivered: queue full or Redis unavailable.</param>
/// <param name="Batches">Stream entries written.</param>
/// <param name="FailedBatches">Writes that failed (their spans are in <paramref name="DroppedSpans"/>).</param>
public sealed record SpanExporterStatus(string Sink, long ExportedSpans, long DroppedSpans, long Batches, long FailedBatches);
