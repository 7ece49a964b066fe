using System.Globalization;
using System.Text;
using Dnet.Perf;

namespace Dnet.Analytics.Rendering;

/// <summary>Request stats as Markdown (for the dashboard's resource commands): headline table, then one row per node.</summary>
internal static class RequestStatsMarkdownRenderer
{
    public static string Render(RequestStats stats)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"**dnet perf stats** | request {Cells.Markdown(stats.RequestId)} | {(stats.Complete ? "complete" : "INCOMPLETE")} | {stats.SpanCount} spans");
        text.AppendLine();
        if (stats.TraceId is not null)
        {
            text.AppendLine(stats.TraceUrl is null
                ? $"Trace `{stats.TraceId}`"
                : $"Trace [{stats.TraceId}]({stats.TraceUrl}) in the dashboard");
            text.AppendLine();
        }

        foreach (var note in stats.Notes)
        {
            text.Append("> note: ").AppendLine(Cells.Markdown(note));
        }

        if (stats.Notes.Count > 0)
        {
            text.AppendLine();
        }

        var itl = stats.InterTokenLatency;
        text.AppendLine("| metric | value | definition |");
        text.AppendLine("| --- | ---: | --- |");
        Row(text, "model", Cells.Markdown(stats.Model), "");
        Row(text, "finish", Cells.Markdown(stats.FinishReasons), "");
        Row(text, "start", Cells.Time(stats.Start), "request received (gateway clock)");
        Row(text, "prompt tokens", Cells.Count(stats.PromptTokens), "");
        Row(text, "generated tokens", Cells.Count(stats.GeneratedTokens), $"{stats.EmittedTokens} emitted");
        Row(text, "end-to-end ms", Cells.Ms(stats.EndToEndMs), "request received to finished");
        Row(text, "ttft ms", Cells.Ms(stats.TtftMs), "first token emitted - request received");
        Row(text, "itl mean ms", Cells.Ms(itl?.MeanMs), itl is null
            ? "no gaps"
            : $"p50 {Cells.Ms(itl.P50Ms)}, p90 {Cells.Ms(itl.P90Ms)}, p99 {Cells.Ms(itl.P99Ms)}, min {Cells.Ms(itl.MinMs)}, max {Cells.Ms(itl.MaxMs)} ({itl.Count} gaps)");
        Row(text, "tpot ms", Cells.Ms(stats.TpotMs), "(end-to-end - ttft)/(n-1)");
        Row(text, "decode tokens/s", Cells.Number(stats.DecodeTokensPerSecond), "(n-1)/(t_last - t_first)");
        Row(text, "overall tokens/s", Cells.Number(stats.OverallTokensPerSecond), "n/(t_end - t_start)");
        Row(text, "estimated FLOPs", Cells.Number(stats.EstimatedFlops, "0.000e+00"), $"achieved {Cells.Number(stats.AchievedGflopsPerSecond)} GFLOP/s over compute self time");
        if (stats.Nodes.Count == 0)
        {
            return text.ToString();
        }

        var groups = stats.Nodes[0].Groups.Select(g => g.Group).ToList();
        text.AppendLine();
        text.AppendLine("Per node: self ms of the request's frames by group (% of the request's end-to-end time); the groups add up to " +
            "busy ms, the union of the node's frame intervals. Bytes: serialized messages sent (network.tx, network.token.send) and received (network.rx).");
        text.AppendLine();
        text.Append("| node | ").AppendJoin(" | ", groups.Select(g => g + " ms (% e2e)")).AppendLine(" | busy ms | bytes tx | bytes rx | GFLOP/s |");
        text.Append("| --- |").AppendJoin("", groups.Select(_ => " ---: |")).AppendLine(" ---: | ---: | ---: | ---: |");
        foreach (var node in stats.Nodes)
        {
            text.Append("| ").Append(Cells.Markdown(node.Node)).Append(" | ")
                .AppendJoin(" | ", node.Groups.Select(g => $"{Cells.Ms(g.SelfMs)} ({Cells.Percent(g.PercentOfEndToEnd)})"))
                .Append(" | ").Append(Cells.Ms(node.BusyMs))
                .Append(" | ").Append(Cells.Count(node.BytesSent))
                .Append(" | ").Append(Cells.Count(node.BytesReceived))
                .Append(" | ").Append(Cells.Number(node.AchievedGflopsPerSecond)).AppendLine(" |");
        }

        return text.ToString();
    }

    private static void Row(StringBuilder text, string metric, string value, string definition) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"| {metric} | {value} | {definition} |");
}
