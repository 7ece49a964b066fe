namespace Dnet.Perf.Tests;

/// <summary>
/// A span belongs to the request of its nearest ancestor in the trace when its emitter did not tag it, whatever order
/// the spans arrive in: nodes export children before their parents, and each process flushes on its own schedule.
/// </summary>
[TestClass]
public sealed class AttributionTests
{
    /// <summary>
    /// One request on one shard where only the gateway's root names the request (an emitter that tags nothing else):
    /// root -> network.tx (gateway) -> compute.forward (shard) -> compute.execute -> compute.attention.
    /// </summary>
    private static (RequestTrace Trace, SpanRecord Root, SpanRecord Tx, SpanRecord Forward, SpanRecord Execute, SpanRecord Attention) Request()
    {
        var trace = new RequestTrace(requestId: null);
        var root = trace.Root(0, 100) with
        {
            Attributes = new Dictionary<string, object?>(trace.Spans[0].Attributes) { [SpanAttributes.RequestId] = "r1" },
        };
        trace.Spans[0] = root;
        var tx = trace.Add("network.tx", "gateway", 5, 1, trace.RootId);
        var forward = trace.Add("compute.forward", "shard-0", 10, 20, tx.SpanId);
        var execute = trace.Add("compute.execute", "shard-0", 12, 16, forward.SpanId);
        var attention = trace.Add("compute.attention", "shard-0", 13, 4, execute.SpanId);
        return (trace, root, tx, forward, execute, attention);
    }

    [TestMethod]
    public void DescendantsArrivingBeforeTheirAncestorsAreChargedWhenItArrives()
    {
        var (_, root, tx, forward, execute, attention) = Request();
        using var store = new SpanStore();

        // Deepest first, one batch each, the way children finish before parents on every node.
        store.Add([attention]);
        store.Add([execute]);
        store.Add([forward]);
        Assert.IsNull(new PerfAnalyzer(store).RequestStats("r1"), "nothing names r1 yet");
        store.Add([tx]);
        store.Add([root]);

        var stats = new PerfAnalyzer(store).RequestStats("r1")!;
        Assert.AreEqual(5L, stats.SpanCount);
        Assert.AreEqual(0L, stats.UnattributedSpans);
        var shard = stats.Node("shard-0");
        Assert.AreEqual(20.0, shard.Group(FrameGroups.Compute).SelfMs, 1e-9, "forward, execute and attention, each once");
        Assert.AreEqual(20.0, shard.BusyMs, 1e-9);
    }

    [TestMethod]
    public void ASpanArrivingAfterItsAncestorInheritsAtOnceInAnyBatchOrder()
    {
        var (_, root, tx, forward, execute, attention) = Request();
        using var store = new SpanStore();

        store.Add([root, execute]);
        store.Add([attention, tx]);
        store.Add([forward]);

        var stats = new PerfAnalyzer(store).RequestStats("r1")!;
        Assert.AreEqual(5L, stats.SpanCount);
        Assert.AreEqual(4.0, stats.Node("shard-0").Group(FrameGroups.Compute).SelfMs - 16.0, 1e-9);
        Assert.AreEqual(new PerfAnalyzer(store).RequestStats("r1")!.Render(ReportFormat.Json), stats.Render(ReportFormat.Json), "computing twice gives the same report");
    }

    [TestMethod]
    public void SpansWhoseAncestorNeverArrivesAreKeptReportedAndEvicted()
    {
        var (_, root, _, forward, execute, attention) = Request();
        using var store = new SpanStore(new SpanStoreOptions { MaxSpans = 4 });

        // network.tx never arrives: forward and its children cannot be linked to the request.
        store.Add([forward, execute, attention, root]);

        var stats = new PerfAnalyzer(store).RequestStats("r1")!;
        Assert.AreEqual(1L, stats.SpanCount);
        Assert.AreEqual(3L, stats.UnattributedSpans);
        Assert.IsTrue(stats.Notes.Any(note => note.Contains("3 spans", StringComparison.Ordinal)), string.Join("; ", stats.Notes));
        Assert.AreEqual(4L, store.Counters.Stored, "kept, not dropped");

        // Retention evicts the oldest (the waiting forward) without disturbing the rest.
        var later = new RequestTrace("r2");
        later.Root(200, 10);
        store.Add(later.Spans);
        Assert.AreEqual(2L, new PerfAnalyzer(store).RequestStats("r1")!.UnattributedSpans);
    }

    [TestMethod]
    public void LateChargedSpansAreEvictedInArrivalOrder()
    {
        var (_, root, tx, forward, execute, attention) = Request();
        using var store = new SpanStore(new SpanStoreOptions { MaxSpans = 5 });
        store.Add([attention, execute, forward, tx, root]);

        // Each new span evicts the oldest: attention, then execute; the request loses exactly those.
        var other = new RequestTrace("r2");
        other.Root(300, 1);
        other.Add("request.token", "gateway", 300.5, 0.01, other.RootId);
        store.Add(other.Spans);

        var stats = new PerfAnalyzer(store).RequestStats("r1")!;
        Assert.AreEqual(3L, stats.SpanCount);
        Assert.AreEqual(2L, stats.EvictedSpans);
        Assert.AreEqual(20.0, stats.Node("shard-0").Group(FrameGroups.Compute).SelfMs, 1e-9, "forward alone now; its children were evicted");
    }

    [TestMethod]
    public void AnEmittersOwnTagWinsOverItsAncestors()
    {
        var (trace, root, tx, forward, _, _) = Request();
        var other = trace.Add("memory.kv.free", "shard-0", 40, 1, forward.SpanId, attributes: (SpanAttributes.RequestId, "r2"));
        using var store = new SpanStore();
        store.Add([root, tx, forward, other]);

        Assert.AreEqual(3L, new PerfAnalyzer(store).RequestStats("r1")!.SpanCount);
        Assert.AreEqual(1L, new PerfAnalyzer(store).RequestStats("r2")!.SpanCount);
    }
}
