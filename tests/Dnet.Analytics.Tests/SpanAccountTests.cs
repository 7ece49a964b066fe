using System.Text.Json.Nodes;
using Dnet.Contracts.Tracing;

namespace Dnet.Analytics.Tests;

/// <summary>
/// <c>/analytics/status</c> accounts for every span a node exported: stored here, still buffered at the node, dropped by
/// it, or in flight (written and not read). The counters come from the batches, as the exporter stamps them.
/// </summary>
[TestClass]
public sealed class SpanAccountTests
{
    [TestMethod]
    public async Task Every_exported_span_is_stored_buffered_dropped_or_in_flight_per_node()
    {
        var stream = TestRedis.NewStream();
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key);
        var trace = new RequestTrace("chatcmpl-accounted");
        var gateway = trace.Gateway();
        var shard = trace.Shard(0);

        // The gateway wrote 3 spans with 2 held behind them, then those 2; 1 more was dropped in between.
        await stream.AddAsync(Batch("gateway", 1, gateway.Take(3), exported: 5, buffered: 2, dropped: 0));
        await stream.AddAsync(Batch("gateway", 2, gateway.Skip(3), exported: 6, buffered: 0, dropped: 1));
        // shard-0's second batch was written but is not in the stream (yet): its spans are in flight.
        await stream.AddAsync(Batch("shard-0", 1, shard.Take(6), exported: 6, buffered: 0, dropped: 0));
        var late = Batch("shard-0", 2, shard.Skip(6).Take(6), exported: 12, buffered: 0, dropped: 0);
        await stream.AddAsync(Batch("shard-0", 3, shard.Skip(12), exported: shard.Count, buffered: 0, dropped: 0));

        var status = await host.WaitUntilCaughtUpAsync(4);
        var gatewayAccount = Node(status, "gateway");
        Assert.AreEqual(6, (long)gatewayAccount["exported_spans"]!);
        Assert.AreEqual(5, (long)gatewayAccount["stored_spans"]!);
        Assert.AreEqual(0, (long)gatewayAccount["buffered_spans"]!);
        Assert.AreEqual(1, (long)gatewayAccount["dropped_spans"]!);
        Assert.AreEqual(0, (long)gatewayAccount["in_flight_spans"]!);
        var shardAccount = Node(status, "shard-0");
        Assert.AreEqual(shard.Count, (long)shardAccount["exported_spans"]!);
        Assert.AreEqual(shard.Count - 6, (long)shardAccount["stored_spans"]!);
        Assert.AreEqual(6, (long)shardAccount["in_flight_spans"]!, "the unread batch's spans are in flight, not lost silently");
        Assert.AreEqual(1, (long)shardAccount["missing_batches"]!);
        Assert.AreEqual(6 + shard.Count, (long)status["spans"]!["exported_spans"]!);
        Assert.AreEqual(6, (long)status["spans"]!["in_flight_spans"]!);

        await stream.AddAsync(late);
        var complete = await host.WaitForJsonAsync("/analytics/status", s => (long)Node(s, "shard-0")["in_flight_spans"]! == 0);
        Assert.AreEqual(shard.Count, (long)Node(complete, "shard-0")["stored_spans"]!);
        Assert.AreEqual(0, (long)Node(complete, "shard-0")["missing_batches"]!);
        var spans = complete["spans"]!;
        Assert.AreEqual((long)spans["exported_spans"]!,
            (long)spans["stored_spans"]! + (long)spans["buffered_spans"]! + (long)spans["dropped_spans"]! + (long)spans["in_flight_spans"]!);
        var (_, markdown, _) = await host.GetAsync("/analytics/status?format=markdown");
        StringAssert.Contains(markdown, $"| shard-0 | 1 | {shard.Count} | {shard.Count} | 0 | 0 | 0 | 0 |");
        StringAssert.Contains(markdown, "| gateway | 1 | 6 | 5 | 0 | 1 | 0 | 0 |");
    }

    private static SpanBatch Batch(string node, long seq, IEnumerable<ExportedSpan> spans, long exported, long buffered, long dropped) => new()
    {
        Node = node,
        Service = node == "gateway" ? "Dnet.Gateway" : "Dnet.Shard",
        Instance = $"{node}-instance",
        Seq = seq,
        Dropped = dropped,
        Exported = exported,
        Buffered = buffered,
        Spans = [.. spans],
    };

    private static JsonNode Node(JsonNode status, string node) =>
        status["nodes"]!.AsArray().Single(n => (string)n!["node"]! == node)!;
}
