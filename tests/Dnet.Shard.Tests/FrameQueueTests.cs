using Dnet.Contracts.Shards;
using Dnet.Shard.Ring;

namespace Dnet.Shard.Tests;

/// <summary>The queue between the shard's gRPC stream and its compute loop.</summary>
[TestClass]
public sealed class FrameQueueTests
{
    private static InboundFrame Frame(string id) =>
        new(new ActivationFrame { RequestId = id, TokenIds = { 1 } }, DateTimeOffset.UtcNow, default);

    [TestMethod]
    public void Is_empty_exactly_when_every_queued_frame_was_read()
    {
        // The compute loop asks this after every batch (to let its kernel threads rest): it must answer, not throw as
        // a single-reader channel's Count does, and count every frame in and out.
        var queue = new FrameQueue();
        Assert.IsTrue(queue.IsEmpty);

        queue.Enqueue(Frame("a"));
        queue.Enqueue(Frame("b"));
        Assert.IsFalse(queue.IsEmpty);

        Assert.IsTrue(queue.TryRead(out var first));
        Assert.AreEqual("a", first.Frame.RequestId);
        Assert.IsFalse(queue.IsEmpty);

        Assert.IsTrue(queue.TryRead(out var second));
        Assert.AreEqual("b", second.Frame.RequestId);
        Assert.IsTrue(queue.IsEmpty);
        Assert.IsFalse(queue.TryRead(out _));
        Assert.IsTrue(queue.IsEmpty);
    }
}
