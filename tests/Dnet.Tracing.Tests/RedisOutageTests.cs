using System.Diagnostics;
using Dnet.Contracts.Tracing;
using Dnet.ServiceDefaults.Tracing;

namespace Dnet.Tracing.Tests;

[TestClass]
public sealed class RedisOutageTests
{
    private const int FramesDuringOutage = 3000;

    [TestMethod]
    public async Task OutageDropsAndCountsWithoutBlockingThenDeliveryResumes()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await TestNode.StartAsync("shard-0", redis);
        DnetFrames.Start(FrameNames.NetworkRx)?.Dispose();
        var before = await redis.WaitForBatchesAsync(b => b.Count > 0, TimeSpan.FromSeconds(5));
        Assert.HasCount(1, before);

        redis.Kill();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < FramesDuringOutage; i++)
        {
            using var frame = DnetFrames.Start(FrameNames.ComputeForward);
            Assert.IsNotNull(frame);
        }

        Assert.IsLessThan(1000L, clock.ElapsedMilliseconds, "producing frames never waits for Redis");
        var dropped = await node.WaitForStatusAsync(s => s.Exporter.DroppedSpans >= FramesDuringOutage, TimeSpan.FromSeconds(10));
        Assert.AreEqual((long)FramesDuringOutage, dropped.Exporter.DroppedSpans);
        Assert.AreEqual(1L, dropped.Exporter.ExportedSpans);

        await redis.RestartAsync();
        IReadOnlyList<SpanBatch> after = [];
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (after.Count == 0 && DateTime.UtcNow < deadline)
        {
            // Frames produced before the reconnect are dropped too; keep producing until one gets through.
            DnetFrames.Start(FrameNames.NetworkTx)?.Dispose();
            after = await redis.WaitForBatchesAsync(b => b.Count > 0, TimeSpan.FromMilliseconds(300));
        }

        Assert.IsNotEmpty(after, "delivery resumes when Redis is back");
        var resumed = after[0];
        Assert.IsGreaterThanOrEqualTo((long)FramesDuringOutage, resumed.Dropped);
        Assert.AreEqual(before[0].Instance, resumed.Instance);
        Assert.IsGreaterThan(before[0].Seq, resumed.Seq);
        var status = await node.StatusAsync();
        Assert.AreEqual(resumed.Dropped, status.Exporter.DroppedSpans, "nothing was dropped after the batch that resumed");
    }

    [TestMethod]
    public async Task FullQueueDropsAndCountsWithoutBlocking()
    {
        await using var redis = await RedisServer.StartAsync();
        redis.Kill();
        await using var node = await TestNode.StartAsync(
            "shard-1", redis, new Dictionary<string, string?> { ["Dnet:Tracing:QueueCapacity"] = "100" });

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < FramesDuringOutage; i++)
        {
            DnetFrames.Start(FrameNames.ComputeExecute)?.Dispose();
        }

        Assert.IsLessThan(1000L, clock.ElapsedMilliseconds, "a full queue never blocks the producer");
        var status = await node.WaitForStatusAsync(s => s.Exporter.DroppedSpans >= FramesDuringOutage, TimeSpan.FromSeconds(10));
        Assert.AreEqual((long)FramesDuringOutage, status.Exporter.DroppedSpans);
        Assert.AreEqual(0L, status.Exporter.ExportedSpans);
    }
}
