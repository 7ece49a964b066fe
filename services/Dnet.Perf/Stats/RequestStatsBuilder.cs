namespace Dnet.Perf;

/// <summary>
/// Computes <see cref="RequestStats"/> from the store. A span is charged to the request the store attributed it to:
/// its own <c>dnet.request_id</c>, or its nearest ancestor's (so startup and model-load frames never are). Self times
/// come from the whole trace, and are always <see cref="SelfTimeScope.Process"/> here: per-node accounting must charge
/// each node only its own clock's time. Pure: computing twice gives the same report.
/// </summary>
internal static class RequestStatsBuilder
{
    /// <summary>Callers hold the store's read lock.</summary>
    public static RequestStats Build(SpanStore store, FrameGroups groups, RequestEntry request, string? dashboardUrl)
    {
        var arena = store.Arena;
        var nodes = new Dictionary<int, NodeTotals>();
        var groupOfName = new Dictionary<int, string>();
        var tokens = new List<long>();
        var calculator = new SelfTimeCalculator();
        long unattributed = 0;
        var traceSlots = request.Spans.Select(seq => arena[seq].Trace).Distinct().Order();
        foreach (var trace in traceSlots.Select(store.Trace))
        {
            calculator.Compute(arena, trace);
            for (var i = 0; i < calculator.Count; i++)
            {
                ref var span = ref arena[calculator.Seqs[i]];
                if (span.Request != request.Slot)
                {
                    unattributed += span.Request < 0 ? 1 : 0;
                    continue;
                }

                var name = store.Names[span.Name];
                if (!groupOfName.TryGetValue(span.Name, out var group))
                {
                    group = groups.Classify(name);
                    groupOfName.Add(span.Name, group);
                }

                if (!nodes.TryGetValue(span.Node, out var totals))
                {
                    totals = new NodeTotals(store.Nodes[span.Node]);
                    nodes.Add(span.Node, totals);
                }

                totals.Add(span, name, group, calculator.SelfNs[i]);
                if (name == SpanAttributes.TokenFrame)
                {
                    tokens.Add(span.StartNs);
                }
            }
        }

        return Assemble(request, groups, nodes.Values, tokens, unattributed, dashboardUrl);
    }

    private static RequestStats Assemble(
        RequestEntry request, FrameGroups groups, IEnumerable<NodeTotals> nodes, List<long> tokens, long unattributed, string? dashboardUrl)
    {
        var root = request.Root;
        var timeline = new TokenTimeline(root, tokens);
        var n = tokens.Count;
        var generated = root?.OutputTokens ?? (root is null ? null : n);
        var groupNames = groups.Names;
        var nodeList = nodes.OrderBy(totals => totals.Node, StringComparer.Ordinal).ToList();
        var flops = nodeList.Any(totals => totals.HasFlops) ? nodeList.Sum(totals => totals.Flops) : (double?)null;
        return new RequestStats(
            request.Id,
            root?.TraceId,
            root is null ? null : TraceLink(dashboardUrl, root.TraceId),
            root is not null,
            root?.Model,
            root?.FinishReasons,
            root?.Status,
            root?.InputTokens,
            generated,
            root?.InputTokens + generated,
            n,
            root is null ? null : UnixTime.FromNs(root.StartNs),
            timeline.EndToEndNs is { } e2e ? UnixTime.Ms(e2e) : null,
            timeline.TtftNs is { } ttft ? UnixTime.Ms(ttft) : null,
            timeline.InterTokenLatency,
            timeline.TpotMs,
            timeline.DecodeTokensPerSecond,
            timeline.OverallTokensPerSecond,
            flops,
            NodeTotals.Gflops(flops, nodeList.Sum(totals => totals.ComputeSelfNs)),
            [.. nodeList.Select(totals => totals.ToStats(groupNames, timeline.EndToEndNs))],
            request.Spans.Count,
            request.EvictedSpans,
            unattributed,
            Notes(request, n, unattributed));
    }

    /// <summary>The Aspire dashboard's page of one trace.</summary>
    private static string? TraceLink(string? dashboardUrl, string traceId) =>
        string.IsNullOrEmpty(dashboardUrl) ? null : $"{dashboardUrl.TrimEnd('/')}/traces/detail/{Uri.EscapeDataString(traceId)}";

    private static List<string> Notes(RequestEntry request, int n, long unattributed)
    {
        var notes = new List<string>();
        if (!request.IsComplete)
        {
            notes.Add("incomplete: the gateway's root span has not arrived; its spans are kept meanwhile");
        }

        if (request.Root?.TraceFilter is { Length: > 0 } filter)
        {
            notes.Add($"filtered: only frames named {string.Join(" or ", filter.Split(',').Select(p => p + "*"))} (and the request's root and token frames) were recorded; per-node times cover those frames only");
        }

        if (request.EvictedSpans > 0)
        {
            notes.Add($"partial: {request.EvictedSpans} spans of this request were evicted by retention");
        }

        if (unattributed > 0)
        {
            notes.Add($"partial: {unattributed} spans of this request's trace wait for an ancestor span that has not arrived, so they are not charged yet");
        }

        if (n < 2)
        {
            notes.Add($"{n} token(s) emitted: inter-token latency, TPOT and decode rate need at least 2");
        }

        return notes;
    }
}
