using Dnet.Contracts.Tracing;
using Dnet.Perf;

namespace Dnet.Analytics.Ingest;

/// <summary>Wire spans to the analysis library's records.</summary>
internal static class SpanRecordMapping
{
    private static readonly IReadOnlyDictionary<string, object?> NoAttributes = new Dictionary<string, object?>();

    /// <summary>
    /// The batch names the node and service: the producer writes one batch per process, so its values are the
    /// emitter's even when a span lacks <c>dnet.node</c>.
    /// </summary>
    public static SpanRecord From(ExportedSpan span, SpanBatch batch) => new()
    {
        TraceId = span.TraceId ?? "",
        SpanId = span.SpanId ?? "",
        ParentSpanId = string.IsNullOrEmpty(span.ParentSpanId) ? null : span.ParentSpanId,
        Name = span.Name ?? "",
        Node = batch.Node,
        Service = batch.Service,
        StartUnixNs = span.StartUnixNs,
        DurationNs = span.DurationNs,
        Status = span.Status == SpanStatusCode.Error ? SpanStatus.Error : SpanStatus.Ok,
        Attributes = span.Attributes ?? NoAttributes,
    };
}
