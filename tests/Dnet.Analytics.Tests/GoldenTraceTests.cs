using System.Text.Json;
using Dnet.Contracts.Tracing;
using Dnet.Models;
using Dnet.Perf;
using Microsoft.Extensions.DependencyInjection;
using PerfAttributes = Dnet.Perf.SpanAttributes;

namespace Dnet.Analytics.Tests;

/// <summary>
/// Request stats on golden traces recorded from the real cluster (1, 2 and 3 shards, and a prefix filter), replayed
/// through a real Redis stream into the analytics service. Every expected number is computed here from the raw spans
/// (or the model's shape), independently of the store's self-time machinery.
/// </summary>
[TestClass]
public sealed class GoldenTraceTests
{
    private const double NsPerMs = 1e6;

    [TestMethod]
    [DynamicData(nameof(GoldenTrace.All), typeof(GoldenTrace))]
    public async Task Every_span_of_the_request_is_charged_to_it_whoever_tagged_it(string file)
    {
        await using var replay = await Replay.StartAsync(file);
        var (golden, stats) = (replay.Golden, replay.Stats);

        var expected = golden.Spans.Count();
        Assert.AreEqual(expected, stats.SpanCount, "every span of the trace belongs to the request");
        Assert.AreEqual(0, stats.UnattributedSpans);
        Assert.AreEqual(expected, stats.Nodes.Sum(node => node.Spans));
        Assert.AreEqual(golden.TraceId, stats.TraceId);
    }

    [TestMethod]
    [DynamicData(nameof(GoldenTrace.All), typeof(GoldenTrace))]
    public async Task Per_node_groups_add_up_to_self_time_which_is_the_union_of_the_nodes_spans(string file)
    {
        await using var replay = await Replay.StartAsync(file);
        var (golden, stats) = (replay.Golden, replay.Stats);

        Assert.AreEqual(golden.Shards + 1, stats.Nodes.Count);
        foreach (var node in stats.Nodes)
        {
            var union = UnionMs(golden.Spans.Where(s => s.Node == node.Node).Select(s => s.Span));
            Assert.AreEqual(node.SelfMs, node.Groups.Sum(g => g.SelfMs), 1e-6, $"{node.Node}: groups add up to self time");
            Assert.AreEqual(union, node.BusyMs, 1e-6, $"{node.Node}: busy time is the union of its span intervals");
            Assert.AreEqual(union, node.SelfMs, 1e-3, $"{node.Node}: self times add up to that union");
            foreach (var group in node.Groups)
            {
                Assert.AreEqual(100 * group.SelfMs / stats.EndToEndMs!.Value, group.PercentOfEndToEnd!.Value, 1e-9);
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(GoldenTrace.All), typeof(GoldenTrace))]
    public async Task Compute_time_is_the_nodes_forward_frames_and_annotate_shows_execute_per_shard(string file)
    {
        await using var replay = await Replay.StartAsync(file);
        var (golden, stats, analyzer) = (replay.Golden, replay.Stats, replay.Analyzer);

        foreach (var node in stats.Nodes.Where(n => n.Node != "gateway"))
        {
            var spans = golden.Spans.Where(s => s.Node == node.Node).Select(s => s.Span).ToList();
            var forwards = spans.Where(s => s.Name == FrameNames.ComputeForward).ToList();
            // Every other non-wait compute frame lies inside a forward frame, so the forwards' durations are the node's
            // compute.* self time.
            foreach (var inner in spans.Where(s => s.Name!.StartsWith(FrameNames.ComputeScope, StringComparison.Ordinal)
                && s.Name != FrameNames.ComputeForward && !FrameNames.IsWait(s.Name)))
            {
                Assert.IsTrue(forwards.Any(f => f.StartUnixNs <= inner.StartUnixNs && inner.StartUnixNs + inner.DurationNs <= f.StartUnixNs + f.DurationNs),
                    $"{node.Node}: {inner.Name} outside every compute.forward");
            }

            var compute = node.Groups.Single(g => g.Group == FrameGroups.Compute).SelfMs;
            Assert.AreEqual(forwards.Sum(f => f.DurationNs) / NsPerMs, compute, 1e-6, node.Node);
            var executeMs = spans.Where(s => s.Name == FrameNames.ComputeExecute).Sum(s => s.DurationNs) / NsPerMs;
            Assert.IsTrue(executeMs > 0 && executeMs <= compute, $"{node.Node}: execute {executeMs} ms within compute {compute} ms");
            Assert.AreEqual(node.EstimatedFlops!.Value / (compute * NsPerMs), node.AchievedGflopsPerSecond!.Value, 1e-9);

            var annotate = analyzer.Annotate(new AnnotateQuery { RequestId = stats.RequestId, Node = node.Node });
            Assert.IsTrue(annotate.Rows.Any(r => r.Name == FrameNames.ComputeExecute), $"{node.Node} has a compute.execute row");
        }
    }

    [TestMethod]
    [DynamicData(nameof(GoldenTrace.All), typeof(GoldenTrace))]
    public async Task Estimated_flops_include_attention_over_the_context_and_the_lm_head(string file)
    {
        await using var replay = await Replay.StartAsync(file);
        var (golden, stats) = (replay.Golden, replay.Stats);
        var config = GeneratedModelSpec.Known.Single(spec => spec.Name == golden.Model).Config;

        // From first principles: per token and layer 2 FLOPs per weight plus 4 x context x heads x head_dim; per step the
        // lm_head (2 x vocab x hidden) for the one position sampled. Step 0 is the prompt, then one token per step.
        long prompt = stats.PromptTokens!.Value, generated = stats.GeneratedTokens!.Value;
        double expected = 0;
        for (var step = 0; step < generated; step++)
        {
            var (tokens, start) = step == 0 ? (prompt, 0L) : (1L, prompt + step - 1);
            for (var i = 0; i < tokens; i++)
            {
                var context = start + i + 1;
                expected += config.NumHiddenLayers * (2.0 * config.ParametersPerLayer() + 4.0 * context * config.NumAttentionHeads * config.HeadDim);
            }

            expected += 2.0 * config.VocabSize * config.HiddenSize;
        }

        Assert.AreEqual(expected, stats.EstimatedFlops!.Value, expected * 1e-12);
    }

    [TestMethod]
    [DynamicData(nameof(GoldenTrace.All), typeof(GoldenTrace))]
    public async Task Bytes_sent_by_each_hop_are_the_bytes_its_next_hop_received(string file)
    {
        await using var replay = await Replay.StartAsync(file);
        var (golden, stats) = (replay.Golden, replay.Stats);
        if (golden.IncludePrefixes.Count > 0)
        {
            Assert.IsTrue(stats.Nodes.All(n => n.BytesSent == 0 && n.BytesReceived == 0), "network frames were filtered out");
            return;
        }

        // The ring order is the order in which the prompt's frames were received.
        var ring = golden.Spans.Where(s => s.Span.Name == FrameNames.NetworkRx && Step(s.Span) == 0)
            .OrderBy(s => s.Span.StartUnixNs).Select(s => s.Node).Prepend("gateway").ToList();
        Assert.AreEqual(golden.Shards + 2, ring.Count, string.Join(" -> ", ring));
        Assert.AreEqual("gateway", ring[^1]);
        var byNode = stats.Nodes.ToDictionary(n => n.Node);
        for (var hop = 0; hop + 1 < ring.Count; hop++)
        {
            var (from, to) = (byNode[ring[hop]], byNode[ring[hop + 1]]);
            Assert.IsGreaterThan(0, from.BytesSent, from.Node);
            Assert.AreEqual(from.BytesSent, to.BytesReceived, $"{from.Node} -> {to.Node}");
            Assert.AreEqual(RawBytes(golden, from.Node, FrameNames.NetworkTx) + RawBytes(golden, from.Node, FrameNames.NetworkTokenSend), from.BytesSent);
        }
    }

    [TestMethod]
    [DynamicData(nameof(GoldenTrace.All), typeof(GoldenTrace))]
    public async Task Token_latencies_come_from_the_token_frames_and_the_filter_is_reported(string file)
    {
        await using var replay = await Replay.StartAsync(file);
        var (golden, stats) = (replay.Golden, replay.Stats);
        var root = golden.Spans.Single(s => s.Span.Name!.StartsWith(FrameNames.ChatPrefix, StringComparison.Ordinal)).Span;
        var tokens = golden.Spans.Where(s => s.Span.Name == FrameNames.RequestToken).Select(s => s.Span.StartUnixNs).Order().ToList();

        Assert.IsTrue(stats.Complete);
        Assert.AreEqual(golden.ClientCompletionTokens, stats.EmittedTokens);
        Assert.AreEqual((tokens[0] - root.StartUnixNs) / NsPerMs, stats.TtftMs!.Value, 1e-6);
        Assert.IsLessThan(golden.ClientTtftMs, stats.TtftMs!.Value, "the client saw its first token after the gateway wrote it");
        Assert.AreEqual((tokens[^1] - tokens[0]) / NsPerMs / (tokens.Count - 1), stats.InterTokenLatency!.MeanMs, 1e-6);
        var filtered = stats.Notes.Any(n => n.StartsWith("filtered:", StringComparison.Ordinal));
        Assert.AreEqual(golden.IncludePrefixes.Count > 0, filtered, string.Join("; ", stats.Notes));
    }

    /// <summary>A golden trace replayed into a fresh stream read by a real analytics host.</summary>
    private sealed class Replay : IAsyncDisposable
    {
        private AnalyticsHost host = null!;

        public GoldenTrace Golden { get; private init; } = null!;

        public PerfAnalyzer Analyzer => host.Services.GetRequiredService<PerfAnalyzer>();

        public RequestStats Stats => Analyzer.RequestStats(Golden.RequestId) ?? throw new AssertFailedException($"no stats for {Golden.RequestId}");

        public static async Task<Replay> StartAsync(string file)
        {
            var golden = GoldenTrace.Load(file);
            var stream = TestRedis.NewStream();
            var replay = new Replay { Golden = golden, host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key) };
            await golden.ReplayAsync(stream);
            await replay.host.WaitUntilCaughtUpAsync(golden.Entries.Count);
            return replay;
        }

        public ValueTask DisposeAsync() => host.DisposeAsync();
    }

    private static long RawBytes(GoldenTrace golden, string node, string frame) =>
        golden.Spans.Where(s => s.Node == node && s.Span.Name == frame).Sum(s => ((JsonElement)s.Span.Attributes[PerfAttributes.Bytes]!).GetInt64());

    private static long Step(ExportedSpan span) =>
        span.Attributes.TryGetValue(Contracts.Tracing.SpanAttributes.Step, out var step) ? ((JsonElement)step!).GetInt64() : -1;

    private static double UnionMs(IEnumerable<ExportedSpan> spans)
    {
        long total = 0, runStart = 0, runEnd = long.MinValue;
        foreach (var (start, end) in spans.Select(s => (s.StartUnixNs, s.StartUnixNs + s.DurationNs)).Order())
        {
            if (start > runEnd)
            {
                total += runEnd == long.MinValue ? 0 : runEnd - runStart;
                (runStart, runEnd) = (start, end);
            }
            else
            {
                runEnd = Math.Max(runEnd, end);
            }
        }

        return (total + (runEnd == long.MinValue ? 0 : runEnd - runStart)) / NsPerMs;
    }
}
