using System.Globalization;
using System.Text;

namespace Dnet.Perf;

/// <summary>Request stats as text: a one-line summary, the headline numbers, then one row per node.</summary>
internal static class RequestStatsTextRenderer
{
    public static string Render(RequestStats stats)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# dnet perf stats | request {stats.RequestId} | {(stats.Complete ? "complete" : "INCOMPLETE")} | model {stats.Model ?? Units.Missing} | finish {stats.FinishReasons ?? Units.Missing} | start {Units.Time(stats.Start)} | {stats.SpanCount} spans");
        if (stats.TraceId is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"# trace {stats.TraceId}{(stats.TraceUrl is null ? "" : $" | {stats.TraceUrl}")}");
        }

        foreach (var note in stats.Notes)
        {
            text.Append("# note: ").AppendLine(note);
        }

        Line(text, "prompt tokens", Units.Number(stats.PromptTokens, "0"), "");
        Line(text, "generated tokens", Units.Number(stats.GeneratedTokens, "0"), $"{stats.EmittedTokens} emitted");
        Line(text, "total tokens", Units.Number(stats.TotalTokens, "0"), "");
        Line(text, "end-to-end", Units.Ms(stats.EndToEndMs), "ms  request received -> finished");
        Line(text, "ttft", Units.Ms(stats.TtftMs), "ms  first token emitted - request received");
        var itl = stats.InterTokenLatency;
        Line(text, "itl mean", Units.Ms(itl?.MeanMs), itl is null
            ? "ms"
            : $"ms  p50 {Units.Ms(itl.P50Ms)}  p90 {Units.Ms(itl.P90Ms)}  p99 {Units.Ms(itl.P99Ms)}  min {Units.Ms(itl.MinMs)}  max {Units.Ms(itl.MaxMs)}  ({itl.Count} gaps)");
        Line(text, "tpot", Units.Ms(stats.TpotMs), "ms  (end-to-end - ttft)/(n-1)");
        Line(text, "decode tokens/s", Units.Number(stats.DecodeTokensPerSecond), "(n-1)/(t_last - t_first)");
        Line(text, "overall tokens/s", Units.Number(stats.OverallTokensPerSecond), "n/(t_end - t_start)");
        Line(text, "estimated flops", Units.Number(stats.EstimatedFlops, "0.000e+00"), $"achieved {Units.Number(stats.AchievedGflopsPerSecond)} GFLOP/s over compute self time");
        if (stats.Nodes.Count == 0)
        {
            return text.ToString();
        }

        var groups = stats.Nodes[0].Groups.Select(g => g.Group).ToList();
        text.AppendLine("#");
        text.AppendLine("# per node: self ms of the request's frames by group (% of the request's end-to-end time); the groups add up to");
        text.AppendLine("# busy ms, the union of the node's frame intervals. bytes: serialized messages sent (network.tx, network.token.send)");
        text.AppendLine("# and received (network.rx). GFLOP/s: estimated FLOPs over compute self time.");
        text.Append(CultureInfo.InvariantCulture, $"# {"node",-12}");
        foreach (var group in groups)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {group + " ms (% e2e)",22}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  {"busy ms",10}  {"bytes tx",10}  {"bytes rx",10}  {"GFLOP/s",8}");
        foreach (var node in stats.Nodes)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {node.Node,-12}");
            foreach (var time in node.Groups)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {$"{Units.Ms(time.SelfMs)} ({Units.Percent(time.PercentOfEndToEnd)})",22}");
            }

            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {Units.Ms(node.BusyMs),10}  {node.BytesSent,10}  {node.BytesReceived,10}  {Units.Number(node.AchievedGflopsPerSecond),8}");
        }

        return text.ToString();
    }

    private static void Line(StringBuilder text, string label, string value, string detail) =>
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  {label,-18} {value,14}  {detail}").TrimEnd());
}
