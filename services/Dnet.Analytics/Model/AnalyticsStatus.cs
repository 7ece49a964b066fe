using Dnet.Analytics.Infrastructure;
using Dnet.Analytics.Ingest;
using Dnet.Perf;

namespace Dnet.Analytics.Model;

/// <summary>The answer of <c>GET /analytics/status</c>.</summary>
/// <param name="Store">Span store counters.</param>
/// <param name="Consumer">This instance's consumer.</param>
/// <param name="Stream">The stream and group as Redis reports them; null when Redis did not answer.</param>
/// <param name="StreamError">Why <paramref name="Stream"/> is null.</param>
/// <param name="DroppedSpans">Spans the exporters reported lost, summed over <paramref name="Exporters"/>.</param>
/// <param name="MissingBatches">Batches never read, summed over <paramref name="Exporters"/>.</param>
/// <param name="Spans">Where every exported span is, for the whole cluster: exported = stored + buffered + dropped + in flight.</param>
/// <param name="Nodes">The same per node (all instances of a node summed).</param>
/// <param name="Exporters">Per exporter instance, by node.</param>
public sealed record AnalyticsStatus(
    SpanStoreCounters Store,
    ConsumerStatus Consumer,
    StreamStatus? Stream,
    string? StreamError,
    long DroppedSpans,
    long MissingBatches,
    SpanAccount Spans,
    IReadOnlyList<SpanAccount> Nodes,
    IReadOnlyList<ExporterStats> Exporters);

/// <summary>Who this consumer is and what it did.</summary>
/// <param name="Name">Consumer name.</param>
/// <param name="Group">Consumer group.</param>
/// <param name="State">Its counters.</param>
public sealed record ConsumerStatus(string Name, string Group, ConsumerSnapshot State);
