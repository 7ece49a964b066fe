using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Dnet.Contracts.Tracing;
using Dnet.ServiceDefaults.Tracing;
using Dnet.Testing;

namespace Dnet.Tracing.Tests;

[TestClass]
public sealed class SpanStreamTests
{
    [TestMethod]
    public async Task FramesArriveWithIdsParentsAttributesAndBatchFields()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await TestNode.StartAsync("shard-0", redis);

        string rootSpanId, childSpanId, traceId;
        using (var root = DnetFrames.StartChat("tiny-llama", "chatcmpl-42"))
        {
            Assert.IsNotNull(root);
            using var forward = DnetFrames.Start(FrameNames.ComputeForward);
            Assert.IsNotNull(forward);
            forward.SetTag(SpanAttributes.RequestId, "chatcmpl-42")
                .SetTag(SpanAttributes.Layers, "0-15")
                .SetTag(SpanAttributes.Bytes, 4096L)
                .SetTag(SpanAttributes.Tokens, 7)
                .SetTag(SpanAttributes.Flops, 1.5e9)
                .SetTag(SpanAttributes.Dtype, "bf16");
            (rootSpanId, childSpanId, traceId) = (root.SpanId.ToHexString(), forward.SpanId.ToHexString(), root.TraceId.ToHexString());
        }

        var batches = await redis.WaitForBatchesAsync(b => b.SelectMany(x => x.Spans).Count() >= 2, TimeSpan.FromSeconds(5));
        var spans = batches.SelectMany(b => b.Spans).ToDictionary(s => s.SpanId);
        var batch = batches[0];
        Assert.AreEqual("shard-0", batch.Node);
        Assert.AreEqual("Dnet.Tracing.Tests", batch.Service);
        Assert.AreEqual(SpanBatch.CurrentSchema, batch.Schema);
        Assert.AreEqual(1L, batch.Seq);
        Assert.AreEqual(0L, batch.Dropped);
        Assert.IsFalse(string.IsNullOrEmpty(batch.Instance));

        var rootSpan = spans[rootSpanId];
        var child = spans[childSpanId];
        Assert.AreEqual("chat tiny-llama", rootSpan.Name);
        Assert.IsNull(rootSpan.ParentSpanId);
        Assert.AreEqual(traceId, rootSpan.TraceId);
        Assert.AreEqual(traceId, child.TraceId);
        Assert.AreEqual(rootSpanId, child.ParentSpanId);
        Assert.AreEqual(FrameNames.ComputeForward, child.Name);
        Assert.AreEqual(SpanStatusCode.Unset, child.Status);
        Assert.IsTrue(child.DurationNs > 0 && rootSpan.DurationNs >= child.DurationNs);
        Assert.IsTrue(child.StartUnixNs >= rootSpan.StartUnixNs);
        var nowNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        Assert.IsTrue(Math.Abs(nowNs - rootSpan.StartUnixNs) < 60_000_000_000L, "start is Unix nanoseconds");

        Assert.AreEqual("chat", Text(rootSpan, SpanAttributes.OperationName));
        Assert.AreEqual("tiny-llama", Text(rootSpan, SpanAttributes.RequestModel));
        Assert.AreEqual("chatcmpl-42", Text(rootSpan, SpanAttributes.RequestId));
        Assert.AreEqual("shard-0", Text(rootSpan, SpanAttributes.Node));
        Assert.AreEqual("shard-0", Text(child, SpanAttributes.Node));
        Assert.AreEqual("0-15", Text(child, SpanAttributes.Layers));
        Assert.AreEqual("bf16", Text(child, SpanAttributes.Dtype));
        Assert.AreEqual(4096L, Json(child, SpanAttributes.Bytes).GetInt64());
        Assert.AreEqual(7L, Json(child, SpanAttributes.Tokens).GetInt64());
        Assert.AreEqual(1.5e9, Json(child, SpanAttributes.Flops).GetDouble());
    }

    [TestMethod]
    public async Task ASingleSpanArrivesWithoutMoreSpans()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await TestNode.StartAsync("gateway", redis);

        var clock = Stopwatch.StartNew();
        DnetFrames.Start(FrameNames.RequestEnd)?.Dispose();
        var batches = await redis.WaitForBatchesAsync(b => b.Count > 0, TimeSpan.FromSeconds(3));

        Assert.AreEqual(1, batches.Count);
        Assert.AreEqual(FrameNames.RequestEnd, batches[0].Spans.Single().Name);
        Assert.IsLessThan(1500L, clock.ElapsedMilliseconds, "the tail of a run is flushed by the timer");
    }

    [TestMethod]
    public async Task ExporterCountersAreMetricsOnTheDnetMeter()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await TestNode.StartAsync("shard-1", redis);
        for (var i = 0; i < 10; i++)
        {
            DnetFrames.Start(FrameNames.NetworkTx)?.Dispose();
        }

        await redis.WaitForBatchesAsync(b => b.Sum(x => x.Spans.Count) >= 10, TimeSpan.FromSeconds(5));
        var observed = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Dnet" && instrument.Name.StartsWith("dnet.trace.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => observed[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.AreEqual(10L, observed["dnet.trace.spans.exported"]);
        Assert.AreEqual(10L, observed["dnet.trace.spans.written"]);
        Assert.AreEqual(0L, observed["dnet.trace.spans.buffered"]);
        Assert.AreEqual(0L, observed["dnet.trace.spans.dropped"]);
        Assert.AreEqual(0L, observed["dnet.trace.buffer.size"]);
        Assert.IsGreaterThanOrEqualTo(1L, observed["dnet.trace.batches.written"]);
        Assert.AreEqual(0L, observed["dnet.trace.writes.failed"]);
        var status = await node.StatusAsync();
        Assert.AreEqual(10L, status.Exporter.ExportedSpans);
        Assert.AreEqual(10L, status.Exporter.WrittenSpans);
        Assert.AreEqual("redis", status.Exporter.Sink);
    }

    [TestMethod]
    public async Task AFullBatchIsWrittenAtOnceAndTheRestOnShutdown()
    {
        await using var redis = await RedisServer.StartAsync();
        var node = await TestNode.StartAsync("shard-0", redis, new Dictionary<string, string?>
        {
            ["Dnet:Tracing:BatchSize"] = "100",
            // Longer than the test: only a full batch or the shutdown may write.
            ["Dnet:Tracing:FlushIntervalMilliseconds"] = "60000",
        });
        await using (node)
        {
            for (var i = 0; i < 250; i++)
            {
                DnetFrames.Start(FrameNames.RequestToken)?.SetTag(SpanAttributes.TokenIndex, i).Dispose();
            }

            var full = await redis.WaitForBatchesAsync(b => b.Count >= 2, TimeSpan.FromSeconds(5));
            CollectionAssert.AreEqual(new[] { 100, 100 }, full.Select(b => b.Spans.Count).ToArray());
            CollectionAssert.AreEqual(new[] { 1L, 2L }, full.Select(b => b.Seq).ToArray());
        }

        var all = await redis.ReadBatchesAsync();
        Assert.HasCount(3, all);
        Assert.HasCount(50, all[2].Spans);
        var indexes = all.SelectMany(b => b.Spans).Select(s => ((JsonElement)s.Attributes[SpanAttributes.TokenIndex]!).GetInt64());
        CollectionAssert.AreEqual(Enumerable.Range(0, 250).Select(i => (long)i).ToArray(), indexes.ToArray());
    }

    private static JsonElement Json(ExportedSpan span, string attribute) => (JsonElement)span.Attributes[attribute]!;

    private static string? Text(ExportedSpan span, string attribute) => Json(span, attribute).GetString();
}
