namespace Dnet.Perf.Tests;

[TestClass]
public sealed class RequestStatsTests
{
    /// <summary>Root 0..100 ms, tokens emitted at 20, 30, 45 and 50 ms, one shard doing all kinds of work.</summary>
    private static RequestTrace Request(string id = "r1")
    {
        var trace = new RequestTrace(id);
        trace.Root(0, 100, inputTokens: 12, outputTokens: 4);
        trace.Add("network.rx.wait", "shard-0", 5, 5, trace.RootId);
        var forward = trace.Add("compute.forward", "shard-0", 10, 20, trace.RootId, attributes: (SpanAttributes.Flops, 4e9));
        trace.Add("compute.thread.execute", "shard-0", 12, 16, forward.SpanId);
        trace.Add("network.tx", "shard-0", 30, 2, trace.RootId, attributes: (SpanAttributes.Bytes, 1000L));
        trace.Add("memory.cache.reset", "shard-0", 32, 1, trace.RootId);
        trace.Add("network.rx", "shard-1", 35, 1, trace.RootId, attributes: (SpanAttributes.Bytes, "1000"));
        trace.Token(0, 20);
        trace.Token(1, 30);
        trace.Token(2, 45);
        trace.Token(3, 50);
        return trace;
    }

    private static PerfAnalyzer Analyzer(params IEnumerable<SpanRecord>[] batches)
    {
        var store = new SpanStore();
        foreach (var batch in batches)
        {
            store.Add(batch);
        }

        return new PerfAnalyzer(store);
    }

    [TestMethod]
    public void TokenLatenciesFollowTheDefinitions()
    {
        var stats = Analyzer(Request().Spans).RequestStats("r1")!;

        Assert.AreEqual(4, stats.EmittedTokens);
        Assert.AreEqual(12L, stats.PromptTokens);
        Assert.AreEqual(4L, stats.GeneratedTokens);
        Assert.AreEqual(16L, stats.TotalTokens);
        Assert.AreEqual(100.0, stats.EndToEndMs!.Value, 1e-9);
        Assert.AreEqual(20.0, stats.TtftMs!.Value, 1e-9);
        var itl = stats.InterTokenLatency!;
        Assert.AreEqual(3, itl.Count);
        Assert.AreEqual(10.0, itl.MeanMs, 1e-9);
        Assert.AreEqual(10.0, itl.P50Ms, 1e-9);
        Assert.AreEqual(14.0, itl.P90Ms, 1e-9);
        Assert.AreEqual(14.9, itl.P99Ms, 1e-9);
        Assert.AreEqual(5.0, itl.MinMs, 1e-9);
        Assert.AreEqual(15.0, itl.MaxMs, 1e-9);
        Assert.AreEqual(80.0 / 3, stats.TpotMs!.Value, 1e-9);
        Assert.AreEqual(100.0, stats.DecodeTokensPerSecond!.Value, 1e-9);
        Assert.AreEqual(40.0, stats.OverallTokensPerSecond!.Value, 1e-9);
    }

    [TestMethod]
    public void NodeGroupsUseSelfTimeAsShareOfWallTime()
    {
        var stats = Analyzer(Request().Spans).RequestStats("r1")!;
        var shard = stats.Node("shard-0");

        Assert.AreEqual(20.0, shard.Group(FrameGroups.Compute).SelfMs, 1e-9);
        Assert.AreEqual(20.0, shard.Group(FrameGroups.Compute).PercentOfEndToEnd!.Value, 1e-9);
        Assert.AreEqual(2.0, shard.Group(FrameGroups.Network).SelfMs, 1e-9);
        Assert.AreEqual(1.0, shard.Group(FrameGroups.Memory).SelfMs, 1e-9);
        Assert.AreEqual(5.0, shard.Group(FrameGroups.Wait).SelfMs, 1e-9);
        Assert.AreEqual(28.0, shard.SelfMs, 1e-9);
        Assert.AreEqual(1000L, shard.BytesSent);
        Assert.AreEqual(1000L, stats.Node("shard-1").BytesReceived);
        Assert.AreEqual(4e9, stats.EstimatedFlops!.Value, 1e-3);
        Assert.AreEqual(200.0, stats.AchievedGflopsPerSecond!.Value, 1e-9);
        Assert.AreEqual(200.0, shard.AchievedGflopsPerSecond!.Value, 1e-9);
    }

    [TestMethod]
    public void ModelLoadIsNeverChargedToARequest()
    {
        var startup = new RequestTrace(requestId: null);
        startup.Add("memory.model.load", "shard-0", -500, 1000);

        var stats = Analyzer(startup.Spans, Request().Spans).RequestStats("r1")!;

        Assert.AreEqual(1.0, stats.Node("shard-0").Group(FrameGroups.Memory).SelfMs, 1e-9);
        Assert.AreEqual(5L, stats.Node("shard-0").Spans);
    }

    [TestMethod]
    public void CustomGroupsTakeTheMostSpecificPrefix()
    {
        var analyzer = Analyzer(Request().Spans);
        analyzer.AddGroup("execute", "compute.thread.execute");
        analyzer.AddGroup("housekeeping", "memory", "network.tx");

        var shard = analyzer.RequestStats("r1")!.Node("shard-0");

        Assert.AreEqual(4.0, shard.Group(FrameGroups.Compute).SelfMs, 1e-9);
        Assert.AreEqual(16.0, shard.Group("execute").SelfMs, 1e-9);
        Assert.AreEqual(3.0, shard.Group("housekeeping").SelfMs, 1e-9);
        Assert.AreEqual(0.0, shard.Group(FrameGroups.Network).SelfMs, 1e-9);
        Assert.AreEqual(28.0, shard.Groups.Sum(group => group.SelfMs), 1e-9);
    }

    [TestMethod]
    public void NoTokensGiveNullRatesAndValidJson()
    {
        var trace = new RequestTrace("r0");
        trace.Root(0, 100);

        var stats = Analyzer(trace.Spans).RequestStats("r0")!;
        var json = stats.Render(ReportFormat.Json);

        Assert.AreEqual(0, stats.EmittedTokens);
        Assert.IsNull(stats.TtftMs);
        Assert.IsNull(stats.InterTokenLatency);
        Assert.IsNull(stats.TpotMs);
        Assert.IsNull(stats.DecodeTokensPerSecond);
        Assert.AreEqual(0.0, stats.OverallTokensPerSecond!.Value);
        Assert.IsNull(stats.EstimatedFlops);
        Assert.IsFalse(json.Contains("NaN", StringComparison.Ordinal));
        StringAssert.Contains(json, "\"ttft_ms\": null");
        StringAssert.Contains(stats.Render(), "n/a");
    }

    [TestMethod]
    public void OneTokenHasTtftButNoGaps()
    {
        var trace = new RequestTrace("r1");
        trace.Root(0, 40);
        trace.Token(0, 25);

        var stats = Analyzer(trace.Spans).RequestStats("r1")!;

        Assert.AreEqual(25.0, stats.TtftMs!.Value, 1e-9);
        Assert.IsNull(stats.InterTokenLatency);
        Assert.IsNull(stats.TpotMs);
        Assert.IsNull(stats.DecodeTokensPerSecond);
        Assert.AreEqual(25.0, stats.OverallTokensPerSecond!.Value, 1e-9);
        Assert.AreEqual(1L, stats.GeneratedTokens);
    }

    [TestMethod]
    public void ComputingTwiceGivesTheSameReport()
    {
        var analyzer = Analyzer(Request().Spans);

        var first = analyzer.RequestStats("r1")!.Render(ReportFormat.Json);
        var second = analyzer.RequestStats("r1")!.Render(ReportFormat.Json);

        Assert.AreEqual(first, second);
        Assert.AreEqual(analyzer.Annotate().Render(), analyzer.Annotate().Render());
    }

    [TestMethod]
    public void RecentRequestsListsLatestFirstWithHeadlineNumbers()
    {
        var later = new RequestTrace("r2");
        later.Root(500, 10);
        var pending = new RequestTrace("r3");
        pending.Add("compute.forward", "shard-0", 700, 5);

        var recent = Analyzer(Request().Spans, later.Spans, pending.Spans).RecentRequests(10);

        CollectionAssert.AreEqual(new[] { "r3", "r2", "r1" }, recent.Select(r => r.RequestId).ToArray());
        Assert.IsFalse(recent[0].Complete);
        Assert.AreEqual(20.0, recent[2].TtftMs!.Value, 1e-9);
        Assert.AreEqual(100.0, recent[2].DecodeTokensPerSecond!.Value, 1e-9);
    }

    [TestMethod]
    public void TextRenderingShowsHeadlinesAndNodes()
    {
        var text = Analyzer(Request().Spans).RequestStats("r1")!.Render();

        StringAssert.StartsWith(text, "# dnet perf stats | request r1 | complete");
        StringAssert.Contains(text, "ttft");
        StringAssert.Contains(text, "20.000");
        StringAssert.Contains(text, "compute ms (% e2e)");
        StringAssert.Contains(text, "busy ms");
        StringAssert.Contains(text, "20.000 (20.00%)");
        StringAssert.Contains(text, "shard-1");
    }

    [TestMethod]
    public void UnknownRequestHasNoStats() => Assert.IsNull(Analyzer(Request().Spans).RequestStats("missing"));
}
