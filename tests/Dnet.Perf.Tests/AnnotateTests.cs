namespace Dnet.Perf.Tests;

[TestClass]
public sealed class AnnotateTests
{
    private static readonly RequestTrace First = new("r1");
    private static readonly RequestTrace Second = new("r2");
    private static readonly RequestTrace Startup = new(requestId: null);

    static AnnotateTests()
    {
        First.Root(0, 100);
        First.Add("network.rx.wait", "shard-0", 0, 10, First.RootId);
        var forward = First.Add("compute.forward", "shard-0", 10, 40, First.RootId);
        First.Add("compute.thread.execute", "shard-0", 15, 30, forward.SpanId);
        First.Add("network.tx", "shard-0", 50, 5, First.RootId, service: "shard-svc");
        First.Add("compute.forward", "shard-1", 55, 20, First.RootId);

        Second.Root(200, 50);
        Second.Add("compute.forward", "shard-0", 210, 10, Second.RootId);

        Startup.Add("memory.model.load", "shard-0", -1000, 500);
    }

    private static PerfAnalyzer Analyzer()
    {
        var store = new SpanStore();
        store.Add([.. First.Spans, .. Second.Spans, .. Startup.Spans]);
        return new PerfAnalyzer(store);
    }

    [TestMethod]
    public void WithoutFiltersEverySpanCountsAndWallIsTheSpanTimeRange()
    {
        var table = Analyzer().Annotate();

        Assert.AreEqual(9L, table.Header.SpanCount);
        Assert.AreEqual(1250.0, table.Header.WallMs, 1e-9);
        Assert.AreEqual("time range of the spans in scope", table.Header.WallBasis);
        Assert.AreEqual(3L, table.Named("compute.forward").Samples);
        Assert.AreEqual(500.0, table.Named("memory.model.load").SelfMs, 1e-9);
        Assert.AreEqual(40.0, table.Named("memory.model.load").SelfPercent!.Value, 1e-9);
    }

    [TestMethod]
    public void RowsAreSortedBySelfDescendingByDefault()
    {
        var rows = Analyzer().Annotate().Rows;

        for (var i = 1; i < rows.Count; i++)
        {
            Assert.IsTrue(rows[i - 1].SelfMs >= rows[i].SelfMs, $"{rows[i - 1].Name} before {rows[i].Name}");
        }
    }

    [TestMethod]
    [DataRow(AnnotateSort.Total)]
    [DataRow(AnnotateSort.Samples)]
    [DataRow(AnnotateSort.Max)]
    [DataRow(AnnotateSort.Name)]
    public void SortKeyIsSelectable(AnnotateSort sort)
    {
        var rows = Analyzer().Annotate(new AnnotateQuery { Sort = sort }).Rows;

        Func<AnnotateRow, IComparable> key = sort switch
        {
            AnnotateSort.Total => row => -row.TotalMs,
            AnnotateSort.Samples => row => -row.Samples,
            AnnotateSort.Max => row => -row.MaxMs,
            _ => row => row.Name,
        };
        for (var i = 1; i < rows.Count; i++)
        {
            Assert.IsTrue(key(rows[i - 1]).CompareTo(key(rows[i])) <= 0, $"{sort}: {rows[i - 1].Name} before {rows[i].Name}");
        }
    }

    [TestMethod]
    public void RequestFilterKeepsOnlyThatRequestAndUsesItsRootAsWallTime()
    {
        var table = Analyzer().Annotate(new AnnotateQuery { RequestId = "r1" });

        Assert.AreEqual(6L, table.Header.SpanCount);
        Assert.AreEqual(100.0, table.Header.WallMs, 1e-9);
        Assert.IsFalse(table.Rows.Any(row => row.Name == "memory.model.load"));
        Assert.AreEqual(2L, table.Named("compute.forward").Samples);
        // 10 ms of forward self on shard-0 + 20 ms on shard-1, over 100 ms of request wall time.
        Assert.AreEqual(30.0, table.Named("compute.forward").SelfPercent!.Value, 1e-9);
    }

    [TestMethod]
    public void LastRequestsPicksTheMostRecentlyFinished()
    {
        var analyzer = Analyzer();

        var last = analyzer.Annotate(new AnnotateQuery { LastRequests = 1 });
        var both = analyzer.Annotate(new AnnotateQuery { LastRequests = 5 });

        Assert.AreEqual(2L, last.Header.SpanCount);
        Assert.AreEqual(50.0, last.Header.WallMs, 1e-9);
        StringAssert.Contains(last.Header.Scope, "last 1 requests (1 found)");
        Assert.AreEqual(8L, both.Header.SpanCount);
        Assert.AreEqual(150.0, both.Header.WallMs, 1e-9);
    }

    [TestMethod]
    public void NodeServiceAndNamePrefixFiltersNarrowTheRows()
    {
        var analyzer = Analyzer();

        var shard1 = analyzer.Annotate(new AnnotateQuery { Node = "shard-1" });
        var service = analyzer.Annotate(new AnnotateQuery { Service = "shard-svc" });
        var network = analyzer.Annotate(new AnnotateQuery { NamePrefix = "network." });

        Assert.AreEqual("compute.forward", shard1.Rows.Single().Name);
        Assert.AreEqual("network.tx", service.Rows.Single().Name);
        CollectionAssert.AreEquivalent(new[] { "network.rx.wait", "network.tx" }, network.Rows.Select(row => row.Name).ToArray());
    }

    [TestMethod]
    public void SelfTimeStillSubtractsChildrenTheFiltersExclude()
    {
        var table = Analyzer().Annotate(new AnnotateQuery { RequestId = "r1", NamePrefix = "compute.forward" });

        Assert.AreEqual(30.0, table.Named("compute.forward").SelfMs, 1e-9);
    }

    [TestMethod]
    public void SinceAndUntilBoundTheSpanStartTimes()
    {
        var since = DateTimeOffset.UnixEpoch.AddTicks(RequestTrace.Ns(200) / 100);

        var table = Analyzer().Annotate(new AnnotateQuery { Since = since });

        Assert.AreEqual(2L, table.Header.SpanCount);
        Assert.AreEqual(1L, table.Named("compute.forward").Samples);
    }

    [TestMethod]
    public void WaitFramesAreFlaggedOrExcluded()
    {
        var analyzer = Analyzer();

        var flagged = analyzer.Annotate();
        var excluded = analyzer.Annotate(new AnnotateQuery { ExcludeWait = true });

        Assert.IsTrue(flagged.Named("network.rx.wait").IsWait);
        Assert.IsFalse(flagged.Named("network.tx").IsWait);
        Assert.IsFalse(excluded.Rows.Any(row => row.IsWait));
        Assert.AreEqual(flagged.Header.SpanCount - 1, excluded.Header.SpanCount);
    }

    [TestMethod]
    public void UnknownRequestGivesAnEmptyTableThatSaysSo()
    {
        var table = Analyzer().Annotate(new AnnotateQuery { RequestId = "nope" });

        Assert.AreEqual(0, table.Rows.Count);
        StringAssert.Contains(table.Header.Scope, "not found");
        StringAssert.Contains(table.Render(), "no spans in scope");
    }

    [TestMethod]
    public void PercentilesOfARowStayWithinItsSamples()
    {
        var row = Analyzer().Annotate().Named("compute.forward");

        Assert.AreEqual(40.0, row.MaxMs, 1e-9);
        Assert.AreEqual(20.0, row.P50Ms, 1e-9);
        Assert.IsTrue(row.P99Ms <= row.MaxMs);
        Assert.AreEqual(70.0 / 3, row.MeanMs, 1e-9);
    }
}
