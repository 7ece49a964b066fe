using Dnet.Contracts.Shards;
using Dnet.Shard.Ring;

namespace Dnet.Shard.Tests;

/// <summary>
/// What a one-shard ring waits for before its next batch: the sequences it just sent tokens for, until each has a step
/// queued, was freed, or the budget (a quarter of the last compute, capped) is spent.
/// </summary>
[TestClass]
public sealed class BatchGatheringTests
{
    // Budgets far beyond any test's run time: these tests check decisions, never how long anything takes.
    private static readonly TimeSpan Long = TimeSpan.FromHours(1);

    private static InboundFrame Decode(string id) =>
        new(new ActivationFrame { RequestId = id, Step = 3, StartPosition = 10, TokenIds = { 1 } }, DateTimeOffset.UtcNow, default);

    [TestMethod]
    public void Waits_until_every_sequence_of_the_last_batch_is_queued_again()
    {
        var scheduler = new StepScheduler(prefillChunkTokens: 16);
        var gathering = new BatchGathering(Long);
        gathering.Expect(["a", "b"], Long * 4);

        scheduler.Add(Decode("a"));
        Assert.IsTrue(gathering.Missing(scheduler), "b has not come back yet");
        scheduler.Add(Decode("b"));
        Assert.IsFalse(gathering.Missing(scheduler));
        CollectionAssert.AreEquivalent(new[] { "a", "b" }, scheduler.NextBatch().Select(s => s.SequenceId).ToArray());
    }

    [TestMethod]
    public void A_freed_sequence_is_not_waited_for()
    {
        var scheduler = new StepScheduler(prefillChunkTokens: 16);
        var gathering = new BatchGathering(Long);
        gathering.Expect(["done"], Long * 4);

        Assert.IsTrue(gathering.Missing(scheduler));
        gathering.Forget("done");
        Assert.IsFalse(gathering.Missing(scheduler));
    }

    [TestMethod]
    public void Without_compute_time_to_spend_or_on_a_longer_ring_nothing_is_waited_for()
    {
        var scheduler = new StepScheduler(prefillChunkTokens: 16);
        var gathering = new BatchGathering(Long);

        gathering.Expect(["a"], TimeSpan.Zero);
        Assert.IsFalse(gathering.Missing(scheduler), "a quarter of no compute is no wait");

        gathering.Expect([], Long);
        Assert.IsFalse(gathering.Missing(scheduler), "a shard that is not the whole ring expects nobody");

        gathering = new BatchGathering(TimeSpan.Zero);
        gathering.Expect(["a"], Long);
        Assert.IsFalse(gathering.Missing(scheduler), "GatherWait = 0 turns gathering off");
    }

    [TestMethod]
    public async Task A_frame_arriving_ends_the_wait()
    {
        var queue = new FrameQueue();
        var scheduler = new StepScheduler(prefillChunkTokens: 16);
        var gathering = new BatchGathering(Long);
        gathering.Expect(["a"], Long * 4);
        Assert.IsTrue(gathering.Missing(scheduler));

        var waiting = gathering.WaitAsync(queue, TestContext.CancellationToken);
        queue.Enqueue(Decode("a"));

        Assert.IsTrue(await waiting);
        Assert.IsTrue(queue.TryRead(out var frame));
        scheduler.Add(frame);
        Assert.IsFalse(gathering.Missing(scheduler));
    }

    public TestContext TestContext { get; set; } = null!;
}
