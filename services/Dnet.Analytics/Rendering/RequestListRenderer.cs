using System.Text;
using Dnet.Perf;

namespace Dnet.Analytics.Rendering;

/// <summary>The recent-requests list as fixed-column text or a Markdown table; one summary line on top.</summary>
internal static class RequestListRenderer
{
    private static readonly string[] Columns =
        ["request", "state", "model", "start", "e2e ms", "ttft ms", "prompt", "generated", "decode tok/s", "overall tok/s", "spans"];

    public static string Render(IReadOnlyList<RequestSummary> requests, SpanStoreCounters counters, ReportFormat format)
    {
        var summary = $"dnet requests | {requests.Count} shown of {counters.Requests} kept ({counters.IncompleteRequests} incomplete) | latest start first";
        var rows = requests.Select(RowOf).ToList();
        return format == ReportFormat.Markdown ? Markdown(summary, rows) : Text(summary, rows);
    }

    private static string[] RowOf(RequestSummary request) =>
    [
        request.RequestId,
        request.Complete ? "complete" : "INCOMPLETE",
        request.Model ?? Cells.Missing,
        Cells.Time(request.Start),
        Cells.Ms(request.EndToEndMs),
        Cells.Ms(request.TtftMs),
        Cells.Count(request.PromptTokens),
        Cells.Count(request.GeneratedTokens),
        Cells.Number(request.DecodeTokensPerSecond),
        Cells.Number(request.OverallTokensPerSecond),
        Cells.Count(request.SpanCount),
    ];

    private static string Text(string summary, List<string[]> rows)
    {
        var widths = Columns.Select((title, i) => rows.Select(r => r[i].Length).Append(title.Length).Max()).ToArray();
        var text = new StringBuilder();
        text.Append("# ").AppendLine(summary);
        text.AppendLine(Line(Columns, widths, "# "));
        foreach (var row in rows)
        {
            text.AppendLine(Line(row, widths, "  "));
        }

        return text.ToString();
    }

    // Text columns (the first four) align left, numbers right, as in perf report.
    private static string Line(string[] cells, int[] widths, string lead) =>
        (lead + string.Join("  ", cells.Select((cell, i) => i < 4 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i])))).TrimEnd();

    private static string Markdown(string summary, List<string[]> rows)
    {
        var text = new StringBuilder();
        text.Append("**").Append(summary).AppendLine("**").AppendLine();
        text.Append("| ").AppendJoin(" | ", Columns).AppendLine(" |");
        text.Append('|').AppendJoin('|', Columns.Select((_, i) => i < 4 ? " --- " : " ---: ")).AppendLine("|");
        foreach (var row in rows)
        {
            text.Append("| ").AppendJoin(" | ", row.Select(Cells.Markdown)).AppendLine(" |");
        }

        return text.ToString();
    }
}
