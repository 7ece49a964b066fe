namespace Dnet.Perf;

/// <summary>
/// Computes <see cref="RequestStats"/> from the store. Only spans carrying the request's id are charged to it
/// (so startup and model-load frames never are); self times come from the whole trace, so a frame's children
/// are subtracted even when they lack the request id. Self time is always <see cref="SelfTimeScope.Process"/>
/// here: per-node accounting must charge each node only its own clock's time. Pure: computing twice gives the
/// same report.
/// </summary>
internal static class RequestStatsBuilder
{
    /// <summary>Callers hold the store's read lock.</summary>
    public static RequestStats Build(SpanStore store, FrameGroups groups, RequestEntry request)
    {
        var arena = store.Arena;
        var nodes = new Dictionary<int, NodeTotals>();
        var groupOfName = new Dictionary<int, string>();
        var tokens = new List<long>();
        var calculator = new SelfTimeCalculator();
        var traceSlots = request.Spans.Select(seq => arena[seq].Trace).Distinct().Order();
        foreach (var trace in traceSlots.Select(store.Trace))
        {
            calculator.Compute(arena, trace);
            for (var i = 0; i < calculator.Count; i++)
            {
                ref var span = ref arena[calculator.Seqs[i]];
                if (span.Request != request.Slot)
                {
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

        return Assemble(request, groups, nodes.Values, tokens);
    }

    private static RequestStats Assemble(
        RequestEntry request, FrameGroups groups, IEnumerable<NodeTotals> nodes, List<long> tokens)
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
            Notes(request, n));
    }

    private static List<string> Notes(RequestEntry request, int n)
    {
        var notes = new List<string>();
        if (!request.IsComplete)
        {
            notes.Add("incomplete: the gateway's root span has not arrived; its spans are kept meanwhile");
        }

        if (request.EvictedSpans > 0)
        {
            notes.Add($"partial: {request.EvictedSpans} spans of this request were evicted by retention");
        }

        if (n < 2)
        {
            notes.Add($"{n} token(s) emitted: inter-token latency, TPOT and decode rate need at least 2");
        }

        return notes;
    }
}
