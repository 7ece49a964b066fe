namespace Dnet.Perf.Tests;

[TestClass]
public sealed class SpanStoreTests
{
    [TestMethod]
    public void ASpanDeliveredTwiceCountsOnce()
    {
        var trace = new RequestTrace("r1");
        trace.Add("compute.forward", "shard-0", 0, 10);
        trace.Add("compute.forward", "shard-0", 10, 10);
        using var store = new SpanStore();

        store.Add([.. trace.Spans, trace.Spans[0]]);
        var addedAgain = store.Add(trace.Spans);

        Assert.AreEqual(0, addedAgain);
        Assert.AreEqual(2L, store.Counters.Stored);
        Assert.AreEqual(3L, store.Counters.Duplicates);
        Assert.AreEqual(2L, new PerfAnalyzer(store).Annotate().Named("compute.forward").Samples);
    }

    [TestMethod]
    public void TheSameSpanIdInAnotherTraceIsADifferentSpan()
    {
        var a = new RequestTrace("r1");
        var b = new RequestTrace("r2");
        a.Add("compute.forward", "shard-0", 0, 1, id: "00000000000000aa");
        b.Add("compute.forward", "shard-0", 0, 1, id: "00000000000000aa");
        using var store = new SpanStore();

        store.Add([.. a.Spans, .. b.Spans]);

        Assert.AreEqual(2L, store.Counters.Stored);
        Assert.AreEqual(0L, store.Counters.Duplicates);
    }

    [TestMethod]
    public void ARequestWhoseRootArrivesLastIsIncompleteUntilThenAndLosesNothing()
    {
        var trace = new RequestTrace("r1");
        trace.Add("compute.forward", "shard-0", 5, 10, trace.RootId);
        trace.Token(0, 20);
        var root = trace.Root(0, 30);
        using var store = new SpanStore();
        var analyzer = new PerfAnalyzer(store);

        store.Add(trace.Spans.Where(span => span != root));
        var before = analyzer.RequestStats("r1")!;
        Assert.IsFalse(before.Complete);
        Assert.AreEqual(1, store.Counters.IncompleteRequests);
        Assert.IsNull(before.TtftMs);
        Assert.IsTrue(before.Notes.Any(note => note.StartsWith("incomplete", StringComparison.Ordinal)));
        Assert.AreEqual(0, store.LastCompletedRequests(5).Count);

        store.Add([root]);
        var after = analyzer.RequestStats("r1")!;

        Assert.IsTrue(after.Complete);
        Assert.AreEqual(0, store.Counters.IncompleteRequests);
        Assert.AreEqual(3L, after.SpanCount);
        Assert.AreEqual(20.0, after.TtftMs!.Value, 1e-9);
        Assert.AreEqual(10.0, after.Node("shard-0").Group(FrameGroups.Compute).SelfMs, 1e-9);
    }

    [TestMethod]
    public void RetentionByCountEvictsTheOldestArrivalsAndCountsThem()
    {
        var trace = new RequestTrace("r1");
        for (var i = 0; i < 5; i++)
        {
            trace.Add("compute.forward", "shard-0", i * 10, 1);
        }

        using var store = new SpanStore(new SpanStoreOptions { MaxSpans = 3, MaxAge = null });
        foreach (var span in trace.Spans)
        {
            store.Add([span]);
        }

        var kept = store.Query(new SpanQuery());
        Assert.AreEqual(3, kept.Count);
        Assert.AreEqual(RequestTrace.Ns(20), kept[0].StartUnixNs);
        Assert.AreEqual(2L, store.Counters.EvictedByCount);
        Assert.AreEqual(2L, new PerfAnalyzer(store).RequestStats("r1")!.EvictedSpans);
    }

    [TestMethod]
    public void RetentionByAgeEvictsSpansOlderThanMaxAge()
    {
        var clock = new ManualClock();
        var old = new RequestTrace("old");
        old.Add("compute.forward", "shard-0", 0, 1);
        old.Add("compute.forward", "shard-0", 1, 1);
        var recent = new RequestTrace("recent");
        recent.Add("compute.forward", "shard-0", 2, 1);
        using var store = new SpanStore(new SpanStoreOptions { MaxAge = TimeSpan.FromMinutes(1) }, clock);

        store.Add(old.Spans);
        clock.Advance(TimeSpan.FromSeconds(90));
        store.Add(recent.Spans);

        Assert.AreEqual(1L, store.Counters.Stored);
        Assert.AreEqual(2L, store.Counters.EvictedByAge);
        Assert.IsNull(new PerfAnalyzer(store).RequestStats("old"));

        clock.Advance(TimeSpan.FromSeconds(90));
        store.Trim();
        Assert.AreEqual(0L, store.Counters.Stored);
        Assert.AreEqual(0, store.Counters.Requests);
    }

    [TestMethod]
    public void MalformedSpansAreRejectedAndCounted()
    {
        var trace = new RequestTrace("r1");
        trace.Add("compute.forward", "shard-0", 0, -1);
        trace.Add("", "shard-0", 0, 1);
        using var store = new SpanStore();

        store.Add(trace.Spans);

        Assert.AreEqual(2L, store.Counters.Rejected);
        Assert.AreEqual(2L, store.Counters.Received);
        Assert.AreEqual(0L, store.Counters.Stored);
    }

    [TestMethod]
    public void QueryFiltersByNodeServiceNameAndTime()
    {
        var trace = new RequestTrace("r1");
        trace.Add("compute.forward", "shard-0", 0, 1, service: "shard-svc");
        trace.Add("network.tx", "shard-0", 5, 1, service: "shard-svc", attributes: (SpanAttributes.Bytes, 64L));
        trace.Add("compute.forward", "shard-1", 10, 1);
        using var store = new SpanStore();
        store.Add(trace.Spans);

        Assert.AreEqual(2, store.Query(new SpanQuery { Node = "shard-0" }).Count);
        Assert.AreEqual(2, store.Query(new SpanQuery { Service = "shard-svc" }).Count);
        Assert.AreEqual(0, store.Query(new SpanQuery { Node = "nowhere" }).Count);
        var network = store.Query(new SpanQuery { NamePrefix = "network." }).Single();
        Assert.AreEqual(64L, network.Attributes[SpanAttributes.Bytes]);
        Assert.AreEqual("r1", network.Attributes[SpanAttributes.RequestId]);
        var window = new SpanQuery
        {
            Since = DateTimeOffset.UnixEpoch.AddTicks(RequestTrace.Ns(5) / 100),
            Until = DateTimeOffset.UnixEpoch.AddTicks(RequestTrace.Ns(10) / 100),
        };
        Assert.AreEqual("network.tx", store.Query(window).Single().Name);
    }

    [TestMethod]
    public void ConcurrentWritersAndReadersKeepEverySpanOnce()
    {
        var spans = SyntheticWorkload.Generate(requests: 8, tokens: 8).ToList();
        using var store = new SpanStore();
        var analyzer = new PerfAnalyzer(store);

        Parallel.For(0, 4, worker =>
        {
            store.Add(spans.Where((_, i) => i % 2 == worker % 2));
            _ = analyzer.Annotate();
        });

        Assert.AreEqual((long)spans.Count, store.Counters.Stored);
        Assert.AreEqual((long)spans.Count, store.Counters.Duplicates);
    }
}
