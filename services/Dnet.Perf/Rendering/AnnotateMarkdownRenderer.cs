using System.Globalization;
using System.Text;

namespace Dnet.Perf;

/// <summary>Annotate table as a Markdown table preceded by its summary; every value from spans or the query is escaped.</summary>
internal static class AnnotateMarkdownRenderer
{
    public static string Render(AnnotateTable table)
    {
        var text = new StringBuilder();
        // The summary carries the scope's filters (request id, node, prefix) as the client typed them.
        text.Append("**dnet annotate** ").AppendLine(MarkdownText.Escape(Units.Summary(table.Header))).AppendLine();
        text.Append('_').Append(MarkdownText.Escape(Units.Method(table.Header))).AppendLine("_").AppendLine();
        text.AppendLine("| Self % | Self ms | Total ms | Samples | Mean ms | p50 ms | p90 ms | p99 ms | Max ms | Wait | Frame |");
        text.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | :--- |");
        foreach (var row in table.Rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {Units.Percent(row.SelfPercent)} | {Units.Ms(row.SelfMs)} | {Units.Ms(row.TotalMs)} | {row.Samples} | {Units.Ms(row.MeanMs)} | {Units.Ms(row.P50Ms)} | {Units.Ms(row.P90Ms)} | {Units.Ms(row.P99Ms)} | {Units.Ms(row.MaxMs)} | {(row.IsWait ? "W" : "")} | {MarkdownText.Escape(row.Name)} |");
        }

        return text.ToString();
    }
}
