using System.Net;
using Dnet.Contracts.Tracing;
using StackExchange.Redis;

namespace Dnet.Analytics.Tests;

[TestClass]
public sealed class IngestionTests
{
    [TestMethod]
    public async Task A_batch_on_the_stream_shows_up_in_annotate_and_request_stats()
    {
        var stream = TestRedis.NewStream();
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key);
        var trace = new RequestTrace("chatcmpl-one");
        await stream.AddAsync("gateway", trace.Gateway());
        await stream.AddAsync("shard-0", trace.Shard(0));

        var stats = await host.WaitForJsonAsync($"/analytics/requests/{trace.RequestId}?format=json", s => (long)s["span_count"]! == 21);
        Assert.IsTrue((bool)stats["complete"]!);
        Assert.AreEqual(RequestTrace.TtftMs, (double)stats["ttft_ms"]!, 1e-6);
        Assert.AreEqual(RequestTrace.TpotMs, (double)stats["tpot_ms"]!, 1e-6);
        Assert.AreEqual(RequestTrace.Tokens, (int)stats["emitted_tokens"]!);

        var table = await host.GetJsonAsync($"/analytics/annotate?request={trace.RequestId}&format=json");
        var execute = table["rows"]!.AsArray().Single(r => (string)r!["name"]! == FrameNames.ComputeExecute)!;
        Assert.AreEqual(RequestTrace.Tokens, (int)execute["samples"]!);

        var (status, text, contentType) = await host.GetAsync("/analytics/annotate?last=1");
        Assert.AreEqual(HttpStatusCode.OK, status);
        Assert.AreEqual("text/plain", contentType);
        StringAssert.Contains(text, FrameNames.ComputeForward);
        StringAssert.Contains(text, "last 1 request");

        var recent = await host.GetJsonAsync("/analytics/requests?format=json");
        Assert.AreEqual(trace.RequestId, (string)recent[0]!["request_id"]!);
    }

    [TestMethod]
    public async Task Spans_of_one_request_split_over_batches_in_reverse_order_give_complete_stats()
    {
        var stream = TestRedis.NewStream();
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key);
        var trace = new RequestTrace("chatcmpl-reversed");
        var shard1 = trace.Shard(1);
        await stream.AddAsync("shard-1", shard1.Skip(8).ToList());
        await stream.AddAsync("shard-1", shard1.Take(8).ToList());
        await stream.AddAsync("shard-0", trace.Shard(0));

        var early = await host.WaitForJsonAsync($"/analytics/requests/{trace.RequestId}?format=json", s => (long)s["span_count"]! == 32);
        Assert.IsFalse((bool)early["complete"]!, "no root yet: the request must be incomplete, not dropped");
        Assert.IsNull(early["ttft_ms"]);

        await stream.AddAsync("gateway", trace.Gateway());
        var stats = await host.WaitForJsonAsync($"/analytics/requests/{trace.RequestId}?format=json", s => (bool)s["complete"]!);
        Assert.AreEqual(37, (long)stats["span_count"]!);
        Assert.AreEqual(RequestTrace.TtftMs, (double)stats["ttft_ms"]!, 1e-6);
        var nodes = stats["nodes"]!.AsArray().Select(n => (string)n!["node"]!).Order().ToList();
        CollectionAssert.AreEqual(new[] { "gateway", "shard-0", "shard-1" }, nodes);
        var shard1Stats = stats["nodes"]!.AsArray().Single(n => (string)n!["node"]! == "shard-1")!;
        Assert.AreEqual(4 * 4096, (long)shard1Stats["bytes_sent"]!);
    }

    [TestMethod]
    public async Task The_same_batch_written_twice_counts_once()
    {
        var stream = TestRedis.NewStream();
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key);
        var trace = new RequestTrace("chatcmpl-twice");
        var batch = stream.Batch("shard-0", trace.Shard(0));
        await stream.AddAsync(batch);
        await stream.AddAsync(batch);
        await stream.AddAsync("gateway", trace.Gateway());

        var status = await host.WaitUntilCaughtUpAsync(3);
        Assert.AreEqual(16, (long)status["store"]!["duplicates"]!);
        Assert.AreEqual(21, (long)status["store"]!["stored"]!);
        var shard = status["exporters"]!.AsArray().Single(e => (string)e!["node"]! == "shard-0")!;
        Assert.AreEqual(1, (long)shard["batches"]!);
        Assert.AreEqual(1, (long)shard["duplicate_batches"]!);

        var table = await host.GetJsonAsync($"/analytics/annotate?request={trace.RequestId}&format=json&prefix=compute.forward");
        Assert.AreEqual(RequestTrace.Tokens, (int)table["rows"]![0]!["samples"]!);
    }

    [TestMethod]
    public async Task A_malformed_entry_is_skipped_and_acknowledged_and_later_entries_are_processed()
    {
        var stream = TestRedis.NewStream();
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key);
        await stream.AddRawAsync(new NameValueEntry("hello", "world"));
        var broken = stream.Batch("shard-0", []).ToStreamFields()
            .Select(f => new NameValueEntry(f.Key, f.Key == SpanStream.SpansField ? "[{\"not\": json" : f.Value)).ToArray();
        await stream.AddRawAsync(broken);
        var trace = new RequestTrace("chatcmpl-after-garbage");
        await stream.AddAsync("gateway", trace.Gateway());

        var status = await host.WaitUntilCaughtUpAsync(3);
        Assert.AreEqual(2, (long)status["consumer"]!["state"]!["malformed_entries"]!);
        Assert.AreEqual(1, (long)status["consumer"]!["state"]!["batches_ingested"]!);
        Assert.AreEqual(0, await stream.PendingAsync());
        var stats = await host.GetJsonAsync($"/analytics/requests/{trace.RequestId}?format=json");
        Assert.IsTrue((bool)stats["complete"]!);
    }

    [TestMethod]
    public async Task Exporter_losses_reported_by_nodes_and_sequence_gaps_are_counted()
    {
        var stream = TestRedis.NewStream();
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key);
        var trace = new RequestTrace("chatcmpl-lossy");
        await stream.AddAsync("shard-0", trace.Shard(0).Take(4).ToList());
        stream.Batch("shard-0", []); // seq 2 never reaches the stream
        await stream.AddAsync("shard-0", trace.Shard(0).Skip(4).ToList(), dropped: 12);

        var status = await host.WaitUntilCaughtUpAsync(2);
        var shard = status["exporters"]!.AsArray().Single(e => (string)e!["node"]! == "shard-0")!;
        Assert.AreEqual(3, (long)shard["last_seq"]!);
        Assert.AreEqual(12, (long)shard["dropped_spans"]!);
        Assert.AreEqual(1, (long)shard["missing_batches"]!);
        Assert.AreEqual(12, (long)status["dropped_spans"]!);
        var (code, markdown, contentType) = await host.GetAsync("/analytics/status?format=markdown");
        Assert.AreEqual(HttpStatusCode.OK, code);
        Assert.AreEqual("text/markdown", contentType);
        StringAssert.Contains(markdown, "| shard-0 | Dnet.Shard | 3 | 2 | n/a | 16 | n/a | 12 | n/a | 1 |");
        Assert.AreEqual(16, (long)shard["stored_spans"]!);
        Assert.IsNull(shard["exported_spans"], "a producer that does not report what it took in leaves it unknown");
    }

    [TestMethod]
    public async Task Entries_written_before_the_service_ever_ran_are_read()
    {
        var stream = TestRedis.NewStream();
        var trace = new RequestTrace("chatcmpl-early");
        await stream.AddAsync("gateway", trace.Gateway());

        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key);

        var stats = await host.WaitForJsonAsync($"/analytics/requests/{trace.RequestId}?format=json", s => (bool)s["complete"]!);
        Assert.AreEqual(RequestTrace.Tokens, (int)stats["emitted_tokens"]!);
    }
}
