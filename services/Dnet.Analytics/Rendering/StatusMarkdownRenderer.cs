using System.Text;
using Dnet.Analytics.Model;

namespace Dnet.Analytics.Rendering;

/// <summary>The status as Markdown for the dashboard: one summary line, the consumer, where the spans are per node, then per exporter instance.</summary>
internal static class StatusMarkdownRenderer
{
    public static string Render(AnalyticsStatus status)
    {
        var store = status.Store;
        var consumer = status.Consumer.State;
        var text = new StringBuilder();
        text.Append("**dnet analytics** | consumer ").Append(Cells.Markdown($"{status.Consumer.Group}/{status.Consumer.Name}")).Append(' ')
            .Append(consumer.Running ? (consumer.Connected ? "reading" : "DISCONNECTED") : "STOPPED")
            .Append(" | ").Append(store.Stored).Append(" spans kept, ").Append(store.Requests).Append(" requests (")
            .Append(store.IncompleteRequests).Append(" incomplete) | ")
            .Append(status.Stream is { } stream
                ? $"lag {Cells.Count(stream.Lag)}, pending {Cells.Count(stream.Pending)}"
                : $"stream unavailable: {Cells.Markdown(status.StreamError)}")
            .AppendLine();
        text.AppendLine();
        text.Append("| entries read | acknowledged | malformed | trimmed | recovered | claimed | duplicates | evicted | redis failures |").AppendLine();
        text.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        text.AppendLine($"| {consumer.EntriesRead} | {consumer.EntriesAcknowledged} | {consumer.MalformedEntries} | {consumer.TrimmedEntries} | {consumer.RecoveredEntries} | {consumer.ClaimedEntries} | {store.Duplicates} | {store.EvictedByCount + store.EvictedByAge} | {consumer.RedisFailures} |");
        text.AppendLine();
        text.AppendLine("exported = stored + buffered + dropped + in flight; nothing is lost when dropped and in flight are 0.");
        text.AppendLine();
        text.AppendLine("| node | instances | exported | stored | buffered | dropped | in flight | missing batches |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var node in status.Nodes.Append(status.Spans))
        {
            text.AppendLine($"| {(node.Node is null ? "**all**" : Cells.Markdown(node.Node))} | {node.Instances} | {Cells.Count(node.ExportedSpans)} | {node.StoredSpans} | {Cells.Count(node.BufferedSpans)} | {node.DroppedSpans} | {Cells.Count(node.InFlightSpans)} | {node.MissingBatches} |");
        }

        text.AppendLine();
        text.AppendLine("| node | service | last seq | batches | exported | stored | buffered | dropped | in flight | missing batches | last batch |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var exporter in status.Exporters)
        {
            text.AppendLine($"| {Cells.Markdown(exporter.Node)} | {Cells.Markdown(exporter.Service)} | {exporter.LastSeq} | {exporter.Batches} | {Cells.Count(exporter.ExportedSpans)} | {exporter.StoredSpans} | {Cells.Count(exporter.BufferedSpans)} | {exporter.DroppedSpans} | {Cells.Count(exporter.InFlightSpans)} | {exporter.MissingBatches} | {Cells.Time(exporter.LastBatchAt)} |");
        }

        return text.ToString();
    }
}
