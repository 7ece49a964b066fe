namespace Dnet.Perf.Tests;

[TestClass]
public sealed class SelfTimeTests
{
    private static AnnotateTable Annotate(IEnumerable<SpanRecord> spans)
    {
        using var store = new SpanStore();
        store.Add(spans);
        return new PerfAnalyzer(store).Annotate();
    }

    [TestMethod]
    public void NestedFramesSubtractOnlyTheirDirectChildren()
    {
        var trace = new RequestTrace("r1");
        var forward = trace.Add("compute.forward", "shard-0", 0, 10);
        var execute = trace.Add("compute.thread.execute", "shard-0", 2, 4, forward.SpanId);
        trace.Add("compute.thread.sampling", "shard-0", 3, 1, execute.SpanId);

        var table = Annotate(trace.Spans);

        Assert.AreEqual(6.0, table.Named("compute.forward").SelfMs, 1e-9);
        Assert.AreEqual(10.0, table.Named("compute.forward").TotalMs, 1e-9);
        Assert.AreEqual(3.0, table.Named("compute.thread.execute").SelfMs, 1e-9);
        Assert.AreEqual(1.0, table.Named("compute.thread.sampling").SelfMs, 1e-9);
    }

    [TestMethod]
    public void OverlappingAsyncChildrenAreSubtractedOnceAndClippedToTheParent()
    {
        var trace = new RequestTrace("r1");
        var parent = trace.Add("network.rx", "shard-0", 0, 10);
        trace.Add("network.rx.prepare", "shard-0", 1, 4, parent.SpanId);
        trace.Add("network.rx.prepare", "shard-0", 3, 4, parent.SpanId);
        trace.Add("network.rx.enque", "shard-0", 8, 4, parent.SpanId);

        var table = Annotate(trace.Spans);

        // Union of [1,5), [3,7) and [8,10) (the last clipped from [8,12)) covers 8 ms of the parent's 10.
        Assert.AreEqual(2.0, table.Named("network.rx").SelfMs, 1e-9);
        Assert.AreEqual(8.0, table.Named("network.rx.prepare").SelfMs, 1e-9);
    }

    [TestMethod]
    public void ChildrenInAnotherProcessStayInTheParentsSelfTime()
    {
        var trace = new RequestTrace("r1");
        var send = trace.Add("network.tx", "gateway", 0, 10);
        trace.Add("compute.forward", "shard-0", 2, 6, send.SpanId);
        trace.Add("network.tx.send", "gateway", 0, 10, send.SpanId, service: "sidecar");

        var table = Annotate(trace.Spans);

        Assert.AreEqual(10.0, table.Named("network.tx").SelfMs, 1e-9);
        StringAssert.Contains(table.Header.SelfTimeRule, "same-process");
    }

    [TestMethod]
    public void TraceScopeAlsoSubtractsRemoteChildren()
    {
        var trace = new RequestTrace("r1");
        var root = trace.Root(0, 10);
        trace.Add("compute.forward", "shard-0", 2, 4, root.SpanId);
        trace.Add("compute.forward", "shard-1", 5, 3, root.SpanId);
        using var store = new SpanStore();
        store.Add(trace.Spans);

        var table = new PerfAnalyzer(store).Annotate(new AnnotateQuery { SelfTime = SelfTimeScope.Trace });

        // Remote children [2,6) and [5,8) cover 6 ms of the root's 10.
        Assert.AreEqual(4.0, table.Named("chat tiny").SelfMs, 1e-9);
        StringAssert.Contains(table.Header.SelfTimeRule, "all children in the trace");
    }

    [TestMethod]
    public void ChildrenArrivingBeforeTheirParentGiveTheSameSelfTime()
    {
        var trace = new RequestTrace("r1");
        var parent = trace.Add("compute.forward", "shard-0", 0, 10);
        trace.Add("compute.thread.execute", "shard-0", 1, 7, parent.SpanId);
        using var store = new SpanStore();
        foreach (var span in Enumerable.Reverse(trace.Spans))
        {
            store.Add([span]);
        }

        var table = new PerfAnalyzer(store).Annotate();

        Assert.AreEqual(3.0, table.Named("compute.forward").SelfMs, 1e-9);
        Assert.AreEqual(7.0, table.Named("compute.thread.execute").SelfMs, 1e-9);
    }
}
