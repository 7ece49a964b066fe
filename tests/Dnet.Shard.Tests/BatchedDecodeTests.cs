using Dnet.Models;

namespace Dnet.Shard.Tests;

/// <summary>
/// The scheduler and the batched forward on real slices of dnet-tiny, driven as a ring drives them: requests in flight
/// together share forwards, and every request samples exactly the tokens it samples alone (seeded), however its prompt
/// is chunked and whoever else is in the batch.
/// </summary>
[TestClass]
public sealed class BatchedDecodeTests
{
    private static List<TestRequest> Requests(int count, int tokens, params int[] promptLengths) =>
        [.. Enumerable.Range(0, count).Select(i => new TestRequest($"req-{i}", TinyModel.Prompt(promptLengths[i % promptLengths.Length], seed: i), tokens, 1000 + (ulong)i))];

    [TestMethod]
    [DataRow(ComputeDtype.Float32)]
    [DataRow(ComputeDtype.BFloat16)]
    public void Concurrent_seeded_requests_get_their_solo_tokens_while_sharing_forwards(ComputeDtype dtype)
    {
        var requests = Requests(8, tokens: 12, 5, 40, 9, 23);
        using var alone = new TestRing(dtype, prefillChunkTokens: 16);
        alone.RunAlone(requests);
        using var together = new TestRing(dtype, prefillChunkTokens: 16);
        foreach (var request in requests)
        {
            together.Send(request);
        }

        together.RunToCompletion();

        Assert.IsEmpty(together.Errors);
        foreach (var request in requests)
        {
            Assert.HasCount(request.MaxTokens, together.Tokens[request.Id]);
            CollectionAssert.AreEqual(alone.Tokens[request.Id], together.Tokens[request.Id], request.Id);
        }

        Assert.IsGreaterThan(1, requests.Select(r => string.Join(',', alone.Tokens[r.Id])).Distinct().Count(), "seeds and prompts differ");
        var runs = together.Shards[0].Runs;
        Assert.AreEqual(requests.Count, runs.Max(r => r.Sequences), "once every prompt is in, one forward decodes every request");
        Assert.IsLessThan(alone.Shards[0].Runs.Count / 4, runs.Count, "batching needs far fewer forwards than running requests one by one");
        foreach (var run in runs)
        {
            Assert.AreEqual(run.Outcomes.Count, run.Outcomes.Select(o => o.Step.SequenceId).Distinct().Count(), "two steps of one request in a batch");
            var prefill = run.Outcomes.Where(o => o.Step.IsPrefill).ToList();
            Assert.IsTrue(prefill.Count <= 1 || prefill.Sum(o => o.Step.Rows) <= 16, "at most one chunk of prefill per forward");
            Assert.AreEqual(run.Outcomes.Sum(o => o.Input!.Tokens), run.Rows);
        }

        Assert.IsTrue(runs.Any(r => r.Outcomes.Any(o => o.Step.Partial) && r.Outcomes.Any(o => !o.Step.IsPrefill)),
            "a long prompt's chunks ran beside running decode steps rather than stalling them");
    }

    [TestMethod]
    [DataRow(ComputeDtype.Float32)]
    [DataRow(ComputeDtype.BFloat16)]
    public void A_chunked_prompt_gives_the_tokens_of_the_whole_prompt_and_one_token_per_step(ComputeDtype dtype)
    {
        var requests = Requests(4, tokens: 6, 30, 7, 8, 50);
        // Bitwise the same tokens however a prompt is chunked: every row is computed alone, on the kernel and on the tiles.
        using var whole = new TestRing(dtype, [1000, 1000], [2], maxContext: null);
        foreach (var request in requests)
        {
            whole.Send(request);
        }

        whole.RunToCompletion();
        // The second shard re-chunks what the first sends it: chunks of chunks keep their order and their positions.
        using var chunked = new TestRing(dtype, [7, 3], [2], maxContext: null);
        foreach (var request in requests)
        {
            chunked.Send(request);
        }

        chunked.RunToCompletion();

        Assert.IsEmpty(chunked.Errors);
        foreach (var request in requests)
        {
            CollectionAssert.AreEqual(whole.Tokens[request.Id], chunked.Tokens[request.Id], request.Id);
            CollectionAssert.AreEqual(Enumerable.Range(0, request.MaxTokens).ToArray(), chunked.TokenFrames[request.Id].Select(t => t.Step).ToArray(),
                "the last shard samples once per step, after a prompt's last chunk");
            var sent = chunked.Shards[0].Runs.SelectMany(r => r.Outcomes).Where(o => o.Step.SequenceId == request.Id && o.Step.IsPrefill).ToList();
            int chunks = (request.Prompt.Length + 6) / 7;
            Assert.HasCount(chunks, sent);
            CollectionAssert.AreEqual(Enumerable.Range(0, chunks).Select(c => 7 * c).ToArray(), sent.Select(o => o.Next!.StartPosition).ToArray());
            CollectionAssert.AreEqual(Enumerable.Range(0, chunks).Select(c => c < chunks - 1).ToArray(), sent.Select(o => o.Next!.PartialPrompt).ToArray());
        }
    }

    [TestMethod]
    public void A_refused_step_fails_only_its_request_and_the_rest_of_its_batch_runs()
    {
        // A cache of 24 tokens: the 10-token prompt's 15th decode step (position 24) does not fit.
        var requests = new List<TestRequest>
        {
            new("overflows", TinyModel.Prompt(10, seed: 1), 20, 7),
            new("fits-1", TinyModel.Prompt(5, seed: 2), 16, 8),
            new("fits-2", TinyModel.Prompt(6, seed: 3), 16, 9),
        };
        using var alone = new TestRing(ComputeDtype.Float32, [128], [], maxContext: 24);
        alone.RunAlone(requests.Skip(1));
        using var together = new TestRing(ComputeDtype.Float32, [128], [], maxContext: 24);
        foreach (var request in requests)
        {
            together.Send(request);
        }

        together.RunToCompletion();

        CollectionAssert.AreEquivalent(new[] { "overflows" }, together.Errors.Keys.ToArray());
        StringAssert.Contains(together.Errors["overflows"], "capacity");
        Assert.HasCount(15, together.Tokens["overflows"], "positions 0-23: the prompt's token and 14 decode steps");
        CollectionAssert.AreEqual(alone.Tokens["fits-1"], together.Tokens["fits-1"]);
        CollectionAssert.AreEqual(alone.Tokens["fits-2"], together.Tokens["fits-2"]);
        var refusedIn = together.Shards[0].Runs.Single(r => r.Outcomes.Any(o => o.Error is not null));
        Assert.AreEqual(3, refusedIn.Outcomes.Count);
        Assert.AreEqual(2, refusedIn.Sequences, "the other two steps ran in the forward that was sent again");
        Assert.IsTrue(refusedIn.Outcomes.Where(o => o.Error is null).All(o => o.Executed && o.Token is not null));
        Assert.IsNull(together.Shards[0].Slice.CachedLength("overflows"), "its cache was freed");
    }

    [TestMethod]
    public void A_step_of_an_unknown_request_is_refused_beside_running_ones()
    {
        using var ring = new TestRing(ComputeDtype.Float32, prefillChunkTokens: 128);
        var running = new TestRequest("running", TinyModel.Prompt(8, seed: 4), 4, 3);
        ring.Send(running);
        ring.Shards[0].RunOnce();
        ring.Shards[0].Receive(running.DecodeFrame(1, 5));
        // A decode step for a request this shard never prefilled (its cache was freed, or it went to another ring).
        ring.Shards[0].Receive(new TestRequest("ghost", [1, 2, 3], 4, 1).DecodeFrame(1, 5));

        var run = ring.Shards[0].RunOnce()!;

        var ghost = run.Outcomes.Single(o => o.Step.SequenceId == "ghost");
        StringAssert.Contains(ghost.Error, "no cache");
        Assert.IsFalse(ghost.Executed);
        Assert.IsNotNull(run.Outcomes.Single(o => o.Step.SequenceId == "running").Token);
        Assert.AreEqual(1, run.Sequences);
        Assert.AreEqual(9, ring.Shards[0].Slice.CachedLength("running"));
    }
}
