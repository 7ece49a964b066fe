using System.Net.Http.Json;
using System.Text.Json;
using Dnet.Contracts.Tracing;
using Dnet.ServiceDefaults.Tracing;
using Dnet.Testing;
using Microsoft.Extensions.Hosting;

namespace Dnet.Tracing.Tests;

/// <summary>
/// Redis going away costs no span: the exporter holds batches in its byte-bounded buffer and writes them in order when
/// Redis is back; only what overflows the buffer (or the queue in front of it) is dropped, and that is counted.
/// </summary>
[TestClass]
public sealed class RedisOutageTests
{
    private const int FramesDuringOutage = 3000;

    [TestMethod]
    public async Task AnOutageIsBufferedAndEveryFrameArrivesInOrderWhenRedisIsBack()
    {
        await using var redis = await RedisServer.StartAsync(RedisPersistence.AppendOnly);
        await using var node = await TestNode.StartAsync("shard-0", redis);
        DnetFrames.Start(FrameNames.NetworkRx)?.Dispose();
        Assert.HasCount(1, await redis.WaitForBatchesAsync(b => b.Count > 0, TimeSpan.FromSeconds(5)));

        await redis.KillAsync();
        Produce(FramesDuringOutage);
        var held = await node.WaitForStatusAsync(s => s.Exporter.FailedWrites > 0 && s.Exporter.BufferedBytes > 0, TimeSpan.FromSeconds(10));
        Assert.AreEqual(1L + FramesDuringOutage, held.Exporter.ExportedSpans);
        Assert.AreEqual(1L, held.Exporter.WrittenSpans);
        Assert.AreEqual((long)FramesDuringOutage, held.Exporter.BufferedSpans);
        Assert.AreEqual(0L, held.Exporter.DroppedSpans);
        var degraded = await HealthAsync(node);
        Assert.AreEqual("Degraded", degraded.Status, "a node without its trace sink still serves");
        StringAssert.Contains(degraded.Description, "trace sink unavailable");

        // Same data directory: the append-only file brings back the entry written before the outage.
        await redis.RestartAsync();
        var batches = await redis.WaitForBatchesAsync(b => b.Sum(x => x.Spans.Count) >= 1 + FramesDuringOutage, TimeSpan.FromSeconds(20));

        CollectionAssert.AreEqual(Enumerable.Range(1, batches.Count).Select(i => (long)i).ToArray(), batches.Select(b => b.Seq).ToArray(),
            "one entry per batch, numbered without gaps, in order");
        var indexes = batches.Skip(1).SelectMany(b => b.Spans).Select(s => ((JsonElement)s.Attributes[SpanAttributes.TokenIndex]!).GetInt64());
        CollectionAssert.AreEqual(Enumerable.Range(0, FramesDuringOutage).Select(i => (long)i).ToArray(), indexes.ToArray());
        var last = batches[^1];
        Assert.AreEqual(1L + FramesDuringOutage, last.Exported);
        Assert.AreEqual(0L, last.Buffered);
        Assert.AreEqual(0L, last.Dropped);
        foreach (var batch in batches)
        {
            // Every batch accounts for every span its node took in: written up to it, held behind it, or dropped.
            var writtenThrough = batches.TakeWhile(b => b.Seq <= batch.Seq).Sum(b => b.Spans.Count);
            Assert.AreEqual(batch.Exported, writtenThrough + batch.Buffered + batch.Dropped);
        }

        var after = await node.WaitForStatusAsync(s => s.Exporter.BufferedSpans == 0, TimeSpan.FromSeconds(5));
        Assert.AreEqual(1L + FramesDuringOutage, after.Exporter.WrittenSpans);
        Assert.AreEqual(0L, after.Exporter.BufferedBytes);
        Assert.AreEqual("Healthy", (await HealthAsync(node)).Status);
    }

    [TestMethod]
    public async Task FramesAreProducedWhileRedisIsFrozenAndNothingWaitsForIt()
    {
        await using var redis = await RedisServer.StartAsync(RedisPersistence.AppendOnly);
        await using var node = await TestNode.StartAsync("gateway", redis);
        DnetFrames.Start(FrameNames.NetworkRx)?.Dispose();
        await redis.WaitForBatchesAsync(b => b.Count > 0, TimeSpan.FromSeconds(5));

        // A frozen server keeps its connections open and answers nothing: the nastiest outage for a writer.
        redis.Freeze();
        try
        {
            Produce(FramesDuringOutage);

            // Every frame was taken in while Redis could not take a single one: producing never waited for it.
            var status = await node.StatusAsync();
            Assert.AreEqual(1L + FramesDuringOutage, status.Exporter.ExportedSpans);
            Assert.AreEqual(1L, status.Exporter.WrittenSpans);
        }
        finally
        {
            redis.Thaw();
        }

        var batches = await redis.WaitForBatchesAsync(b => b.Sum(x => x.Spans.Count) >= 1 + FramesDuringOutage, TimeSpan.FromSeconds(20));
        Assert.AreEqual(1 + FramesDuringOutage, batches.SelectMany(b => b.Spans).Select(s => s.SpanId).Distinct().Count());
        Assert.AreEqual(0L, (await node.StatusAsync()).Exporter.DroppedSpans);
    }

    [TestMethod]
    public async Task ABufferOverflowDropsExactlyWhatDoesNotFitAndCountsIt()
    {
        const long capacity = 30_000;
        const int frames = 1000;
        await using var redis = await RedisServer.StartAsync(RedisPersistence.AppendOnly);
        await using var node = await TestNode.StartAsync("shard-1", redis, new Dictionary<string, string?>
        {
            ["Dnet:Tracing:BatchSize"] = "10",
            ["Dnet:Tracing:BufferCapacityBytes"] = capacity.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        DnetFrames.Start(FrameNames.NetworkRx)?.Dispose();
        await redis.WaitForBatchesAsync(b => b.Count > 0, TimeSpan.FromSeconds(5));

        await redis.KillAsync();
        Produce(frames);
        var overflowing = await node.WaitForStatusAsync(s => s.Exporter.DroppedSpans > 0, TimeSpan.FromSeconds(10));
        Assert.IsLessThanOrEqualTo(capacity, overflowing.Exporter.BufferedBytes);
        Assert.AreEqual(capacity, overflowing.Exporter.BufferCapacityBytes);

        await redis.RestartAsync();
        var settled = await node.WaitForStatusAsync(s => s.Exporter.BufferedSpans == 0, TimeSpan.FromSeconds(20));
        var outage = (await redis.ReadBatchesAsync()).Skip(1).ToList();
        var kept = outage.Sum(b => b.Spans.Count);
        var sizes = (await redis.ReadSpansFieldLengthsAsync()).Skip(1).ToList();
        var keptBytes = sizes.Sum();

        Assert.IsGreaterThan(0, kept);
        Assert.AreEqual(frames - kept, settled.Exporter.DroppedSpans, "exactly what was not kept is counted as dropped");
        Assert.AreEqual(1L + kept, settled.Exporter.WrittenSpans);
        Assert.IsLessThanOrEqualTo(capacity, keptBytes, "the buffer never held more than its cap");
        Assert.IsGreaterThan(capacity - (2 * sizes.Max()), keptBytes,
            "the buffer filled up to its cap before it dropped");
        var indexes = outage.SelectMany(b => b.Spans).Select(s => ((JsonElement)s.Attributes[SpanAttributes.TokenIndex]!).GetInt64()).ToList();
        CollectionAssert.AreEqual(indexes.Order().ToList(), indexes, "what was kept is written in order");
        CollectionAssert.AreEqual(Enumerable.Range(2, outage.Count).Select(i => (long)i).ToArray(), outage.Select(b => b.Seq).ToArray(),
            "dropped batches take no sequence number: no gap for analytics to mistake for a lost entry");
        var last = outage[^1];
        Assert.AreEqual(settled.Exporter.DroppedSpans, last.Dropped, "the dropped count travels in the batches");
        Assert.AreEqual(1L + frames, last.Exported);
        Assert.AreEqual(0L, last.Buffered);
    }

    [TestMethod]
    public async Task AFullQueueDropsAndCountsWithoutWaiting()
    {
        await using var redis = await RedisServer.StartAsync(RedisPersistence.AppendOnly);
        await using var node = await TestNode.StartAsync(
            "shard-1", redis, new Dictionary<string, string?> { ["Dnet:Tracing:QueueCapacity"] = "1", ["Dnet:Tracing:BatchSize"] = "1" });

        Produce(FramesDuringOutage);

        var status = await node.WaitForStatusAsync(s => s.Exporter.BufferedSpans == 0, TimeSpan.FromSeconds(20));
        Assert.AreEqual((long)FramesDuringOutage, status.Exporter.ExportedSpans);
        Assert.IsGreaterThan(0L, status.Exporter.DroppedSpans, "a one-frame queue cannot keep up with a tight loop");
        Assert.AreEqual(FramesDuringOutage, status.Exporter.WrittenSpans + status.Exporter.DroppedSpans);
        var batches = await redis.WaitForBatchesAsync(b => b.Sum(x => x.Spans.Count) == status.Exporter.WrittenSpans, TimeSpan.FromSeconds(5));
        Assert.AreEqual(status.Exporter.WrittenSpans, batches.Sum(b => b.Spans.Count));
    }

    [TestMethod]
    public async Task RedisCrashingAgainAndAgainWhileFramesFlowStopsNoDelivery()
    {
        await using var redis = await RedisServer.StartAsync(RedisPersistence.AppendOnly);
        await using var node = await TestNode.StartAsync("gateway", redis);
        using var stop = new CancellationTokenSource();
        var producing = Task.Run(async () =>
        {
            // A steady node: a few frames every few milliseconds, some of them always in the middle of a write.
            while (!stop.IsCancellationRequested)
            {
                Produce(20);
                await Task.Delay(5);
            }
        });

        var random = new Random(7);
        for (var crash = 0; crash < 6; crash++)
        {
            await Task.Delay(random.Next(100, 600));
            await redis.KillAsync();
            await Task.Delay(random.Next(0, 300));
            await redis.RestartAsync();
        }

        await Task.Delay(500);
        await stop.CancelAsync();
        await producing;

        // Writes acknowledged in the second before a crash may be lost with it (fsync every second), so the stream cannot
        // be the judge here; the exporter's own count can: every frame taken in was written, none is held or dropped.
        var status = await node.WaitForStatusAsync(s => s.Exporter.BufferedSpans == 0, TimeSpan.FromSeconds(30));
        Assert.AreEqual(0L, status.Exporter.DroppedSpans);
        Assert.AreEqual(status.Exporter.ExportedSpans, status.Exporter.WrittenSpans);
        Assert.AreEqual("Healthy", (await HealthAsync(node)).Status);
    }

    private static void Produce(int frames)
    {
        for (var i = 0; i < frames; i++)
        {
            using var frame = DnetFrames.Start(FrameNames.ComputeForward);
            Assert.IsNotNull(frame);
            frame.SetTag(SpanAttributes.TokenIndex, i);
        }
    }

    private static async Task<(string Status, string Description)> HealthAsync(TestNode node)
    {
        var health = await node.Client.GetFromJsonAsync<JsonElement>("/health");
        var check = health.GetProperty("checks").GetProperty(TracingExtensions.TraceSinkCheckName);
        return (check.GetProperty("status").GetString()!, check.GetProperty("description").GetString() ?? "");
    }
}
