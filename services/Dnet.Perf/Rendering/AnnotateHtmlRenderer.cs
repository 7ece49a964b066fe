using System.Globalization;
using System.Net;
using System.Text;

namespace Dnet.Perf;

/// <summary>Annotate table as a self-contained HTML page (inline style, no scripts, no external resources).</summary>
internal static class AnnotateHtmlRenderer
{
    private const string Style =
        "body{font-family:monospace;margin:1.5em}table{border-collapse:collapse}"
        + "th,td{padding:2px 10px;border-bottom:1px solid #ddd}td.n{text-align:right}tr.wait{color:#888}"
        + "p{margin:.3em 0}";

    public static string Render(AnnotateTable table)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\"><title>dnet annotate</title>");
        html.Append("<style>").Append(Style).AppendLine("</style></head><body>");
        html.Append("<p><b>dnet annotate</b> ").Append(Encode(Units.Summary(table.Header))).AppendLine("</p>");
        html.Append("<p><i>").Append(Encode(Units.Method(table.Header))).AppendLine("</i></p>");
        html.AppendLine("<table><thead><tr><th>Self %</th><th>Self ms</th><th>Total ms</th><th>Samples</th><th>Mean ms</th>"
            + "<th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>Max ms</th><th>W</th><th>Frame</th></tr></thead><tbody>");
        foreach (var row in table.Rows)
        {
            html.Append(row.IsWait ? "<tr class=\"wait\">" : "<tr>");
            foreach (var cell in new[]
            {
                Units.Percent(row.SelfPercent), Units.Ms(row.SelfMs), Units.Ms(row.TotalMs),
                row.Samples.ToString(CultureInfo.InvariantCulture), Units.Ms(row.MeanMs), Units.Ms(row.P50Ms),
                Units.Ms(row.P90Ms), Units.Ms(row.P99Ms), Units.Ms(row.MaxMs),
            })
            {
                html.Append("<td class=\"n\">").Append(cell).Append("</td>");
            }

            html.Append("<td>").Append(row.IsWait ? "W" : "").Append("</td><td>").Append(Encode(row.Name)).AppendLine("</td></tr>");
        }

        html.AppendLine("</tbody></table></body></html>");
        return html.ToString();
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
