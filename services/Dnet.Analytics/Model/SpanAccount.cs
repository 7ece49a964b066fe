using Dnet.Analytics.Ingest;

namespace Dnet.Analytics.Model;

/// <summary>
/// Where one node's spans are (or the cluster's, summed): <c>exportedSpans = storedSpans + bufferedSpans + droppedSpans
/// + inFlightSpans</c>, from each exporter instance's latest batch. Nothing was lost when dropped and in flight are 0.
/// Counts the exporters do not report (older producers) make the sums they enter <c>null</c>.
/// </summary>
/// <param name="Node">Node name; <c>null</c> for the cluster total.</param>
/// <param name="Instances">Exporter instances (process runs) of the node.</param>
/// <param name="ExportedSpans">Spans its exporters took in.</param>
/// <param name="StoredSpans">Spans of its batches stored here.</param>
/// <param name="BufferedSpans">Spans its exporters still held.</param>
/// <param name="DroppedSpans">Spans its exporters gave up.</param>
/// <param name="InFlightSpans">Spans written to the stream and not read here (yet).</param>
/// <param name="MissingBatches">Its batches never read.</param>
/// <param name="DuplicateBatches">Its batches read more than once.</param>
public sealed record SpanAccount(
    string? Node,
    int Instances,
    long? ExportedSpans,
    long StoredSpans,
    long? BufferedSpans,
    long DroppedSpans,
    long? InFlightSpans,
    long MissingBatches,
    long DuplicateBatches)
{
    /// <summary>Sums exporter instances, per node (<paramref name="node"/> set) or for the cluster.</summary>
    public static SpanAccount Of(string? node, IReadOnlyCollection<ExporterStats> exporters) => new(
        node,
        exporters.Count,
        Sum(exporters, e => e.ExportedSpans),
        exporters.Sum(e => e.StoredSpans),
        Sum(exporters, e => e.BufferedSpans),
        exporters.Sum(e => e.DroppedSpans),
        Sum(exporters, e => e.InFlightSpans),
        exporters.Sum(e => e.MissingBatches),
        exporters.Sum(e => e.DuplicateBatches));

    /// <summary>Per node, by name.</summary>
    public static IReadOnlyList<SpanAccount> PerNode(IReadOnlyList<ExporterStats> exporters) =>
        [.. exporters.GroupBy(e => e.Node, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Of(g.Key, g.ToList()))];

    private static long? Sum(IEnumerable<ExporterStats> exporters, Func<ExporterStats, long?> count)
    {
        long total = 0;
        foreach (var exporter in exporters)
        {
            if (count(exporter) is not { } value)
            {
                return null;
            }

            total += value;
        }

        return total;
    }
}
