using System.Text;
using Dnet.Analytics.Model;

namespace Dnet.Analytics.Rendering;

/// <summary>The status as Markdown for the dashboard: one summary line, then a table per exporter instance.</summary>
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
        text.AppendLine("| node | service | last seq | batches | spans | dropped spans | missing batches | last batch |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var exporter in status.Exporters)
        {
            text.AppendLine($"| {Cells.Markdown(exporter.Node)} | {Cells.Markdown(exporter.Service)} | {exporter.LastSeq} | {exporter.Batches} | {exporter.Spans} | {exporter.DroppedSpans} | {exporter.MissingBatches} | {Cells.Time(exporter.LastBatchAt)} |");
        }

        return text.ToString();
    }
}
