using Dnet.Contracts.Shards;
using Dnet.Shard.Ring;
using Google.Protobuf;

namespace Dnet.Shard.Tests;

/// <summary>The scheduler's batching decisions on their own: what one forward takes, and how prompts are chunked.</summary>
[TestClass]
public sealed class StepSchedulerTests
{
    private static InboundFrame Prompt(string id, int tokens) =>
        new(new ActivationFrame { RequestId = id, Step = 0, TokenIds = { Enumerable.Range(0, tokens) } }, DateTimeOffset.UtcNow, default);

    private static InboundFrame Decode(string id, int step, int position) =>
        new(new ActivationFrame { RequestId = id, Step = step, StartPosition = position, TokenIds = { 1 } }, DateTimeOffset.UtcNow, default);

    [TestMethod]
    public void A_batch_is_every_ready_decode_step_plus_one_chunk_of_prefill()
    {
        var scheduler = new StepScheduler(prefillChunkTokens: 128);
        scheduler.Add(Decode("a", 3, 40));
        scheduler.Add(Prompt("long", 300));
        scheduler.Add(Decode("b", 7, 12));
        scheduler.Add(Prompt("next", 20));

        var first = scheduler.NextBatch();
        CollectionAssert.AreEqual(new[] { "a", "b", "long" }, first.Select(s => s.SequenceId).ToArray());
        Assert.AreEqual(128, first.Single(s => s.IsPrefill).Rows);

        // The long prompt's chunks go on in order, one per batch; the prompt that came after it joins the last chunk,
        // which leaves room for it.
        var second = scheduler.NextBatch();
        var third = scheduler.NextBatch();
        CollectionAssert.AreEqual(new[] { "long" }, second.Select(s => s.SequenceId).ToArray());
        CollectionAssert.AreEqual(new[] { "long", "next" }, third.Select(s => s.SequenceId).ToArray());
        PendingStep[] chunks = [first[2], .. second, .. third];
        CollectionAssert.AreEqual(new[] { 0, 128, 256, 0 }, chunks.Select(s => s.StartPosition).ToArray());
        CollectionAssert.AreEqual(new[] { 128, 128, 44, 20 }, chunks.Select(s => s.Rows).ToArray());
        CollectionAssert.AreEqual(new[] { true, true, false, false }, chunks.Select(s => s.Partial).ToArray());
        CollectionAssert.AreEqual(new[] { true, false, false, true }, chunks.Select(s => s.StartsFrame).ToArray());
        Assert.IsTrue(scheduler.IsEmpty);
    }

    [TestMethod]
    public void Short_prompts_share_a_batch_while_they_fit_the_chunk_in_arrival_order()
    {
        var scheduler = new StepScheduler(prefillChunkTokens: 100);
        scheduler.Add(Prompt("p1", 40));
        scheduler.Add(Prompt("p2", 50));
        scheduler.Add(Prompt("p3", 30));
        scheduler.Add(Prompt("p4", 5));

        CollectionAssert.AreEqual(new[] { "p1", "p2" }, scheduler.NextBatch().Select(s => s.SequenceId).ToArray(), "p3 would exceed 100 rows");
        CollectionAssert.AreEqual(new[] { "p3", "p4" }, scheduler.NextBatch().Select(s => s.SequenceId).ToArray());
    }

    [TestMethod]
    public void Two_steps_of_one_request_never_share_a_batch()
    {
        var scheduler = new StepScheduler(prefillChunkTokens: 128);
        scheduler.Add(Decode("a", 1, 10));
        scheduler.Add(Decode("a", 2, 11));
        scheduler.Add(Decode("b", 1, 4));

        var first = scheduler.NextBatch();
        var second = scheduler.NextBatch();

        CollectionAssert.AreEqual(new[] { ("a", 1), ("b", 1) }, first.Select(s => (s.SequenceId, s.Inbound.Frame.Step)).ToArray());
        CollectionAssert.AreEqual(new[] { ("a", 2) }, second.Select(s => (s.SequenceId, s.Inbound.Frame.Step)).ToArray());
        Assert.IsEmpty(scheduler.NextBatch());
    }

    [TestMethod]
    public void A_hidden_state_longer_than_a_chunk_is_split_by_rows_and_a_partial_frame_stays_partial()
    {
        var scheduler = new StepScheduler(prefillChunkTokens: 4);
        var hidden = new ActivationFrame
        {
            RequestId = "h",
            Step = 0,
            StartPosition = 8,
            Hidden = ByteString.CopyFrom(new byte[10 * 3 * 4]),
            Dtype = ActivationDtype.F32,
            PartialPrompt = true,
        };
        hidden.Shape.Add([10, 3]);
        scheduler.Add(new InboundFrame(hidden, DateTimeOffset.UtcNow, default));

        var steps = Enumerable.Range(0, 3).Select(_ => scheduler.NextBatch().Single()).ToList();

        CollectionAssert.AreEqual(new[] { 8, 12, 16 }, steps.Select(s => s.StartPosition).ToArray());
        CollectionAssert.AreEqual(new[] { 4, 4, 2 }, steps.Select(s => s.Rows).ToArray());
        Assert.IsTrue(steps.All(s => s.Partial), "more of the prompt follows the frame that said so");
        var input = FrameRows.Input(steps[2]);
        Assert.AreEqual(2, input.Tokens);
        Assert.AreEqual(2 * 3 * 4, input.Activations!.Data.Length);
    }

    [TestMethod]
    public void A_malformed_frame_is_one_step_for_the_engine_to_refuse()
    {
        var scheduler = new StepScheduler(prefillChunkTokens: 4);
        var bad = new ActivationFrame { RequestId = "bad", Step = 0, Hidden = ByteString.CopyFrom(new byte[7]), Dtype = ActivationDtype.F32 };
        bad.Shape.Add([10, 3]);
        scheduler.Add(new InboundFrame(bad, DateTimeOffset.UtcNow, default));

        var step = scheduler.NextBatch().Single();

        Assert.AreEqual(0, step.Rows);
        Assert.IsFalse(step.Partial);
    }

    [TestMethod]
    public void Dropping_a_request_forgets_its_pending_chunks_only()
    {
        var scheduler = new StepScheduler(prefillChunkTokens: 10);
        scheduler.Add(Prompt("cancelled", 35));
        scheduler.Add(Decode("other", 1, 3));

        Assert.AreEqual(5, scheduler.PendingSteps);
        Assert.AreEqual(4, scheduler.Drop("cancelled"));
        CollectionAssert.AreEqual(new[] { "other" }, scheduler.NextBatch().Select(s => s.SequenceId).ToArray());
        Assert.IsTrue(scheduler.IsEmpty);
    }
}
