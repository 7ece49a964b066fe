using Dnet.Inference.Model;
using Dnet.Models;

namespace Dnet.Inference.Tests;

/// <summary>
/// The batched forward: a sequence's logits are bitwise the same whether it runs alone or beside others (decoding at
/// other positions, or prefilling a chunk), however its own prompt is chunked, and on any number of threads: on the
/// float32 kernel and on the AMX tiles alike, since both compute every row on its own.
/// </summary>
[TestClass]
public sealed class BatchedForwardTests
{
    static string Tiny => TestCheckpoints.Folder(TestCheckpoints.Tiny);

    static ModelSliceOptions Options(ComputeDtype dtype, int threads = 2, bool tiles = false)
    {
        if (tiles)
        {
            Kernels.TileProjectionTests.TilesRequired();
        }
        return new() { ComputeDtype = dtype, Threads = threads, MatrixTiles = tiles };
    }

    static SequenceStep Step(string id, int[] tokens, int start) => new(id, SliceInput.FromTokens(tokens), start);

    [TestMethod]
    [DataRow(ComputeDtype.Float32, false)]
    [DataRow(ComputeDtype.BFloat16, false)]
    [DataRow(ComputeDtype.BFloat16, true)] // on the AMX tiles (where there are some)
    public void BatchedDecodeEqualsSoloDecodeBitwise(ComputeDtype dtype, bool tiles)
    {
        int[][] prompts = [.. Enumerable.Range(0, 4).Select(i => EngineRun.Prompt(12 + 3 * i, 512, seed: 10 + i))];
        int[] prefillOf = [3, 6, 9, 12];
        int[] late = EngineRun.Prompt(14, 512, seed: 20);

        // Solo: each sequence alone, prefill then one token per step, on one thread.
        using var solo = ModelSlice.Load(Tiny, LayerRange.All(4), Options(dtype, threads: 1, tiles));
        var soloLogits = prompts.Select((p, i) => Solo(solo, $"solo-{i}", p, prefillOf[i])).ToList();
        var soloLate = EngineRun.LastLogits([solo], "solo-late", late, prefill: late.Length);

        // Batched: the four decode side by side at different positions; a fifth prefills in two chunks meanwhile.
        using var batched = ModelSlice.Load(Tiny, LayerRange.All(4), Options(dtype, threads: 3, tiles));
        Assert.AreEqual(tiles, batched.OnMatrixTiles);
        var last = new float[prompts.Length][];
        var positions = new int[prompts.Length];
        var started = batched.Forward([.. prompts.Select((p, i) => Step($"b-{i}", p[..prefillOf[i]], 0))]);
        for (int i = 0; i < prompts.Length; i++)
        {
            last[i] = started[i].Logits!;
            positions[i] = prefillOf[i];
        }
        float[]? lateLogits = null;
        for (int round = 0; positions.Where((p, i) => p < prompts[i].Length).Any(); round++)
        {
            var steps = new List<SequenceStep>();
            var owners = new List<int>();
            for (int i = 0; i < prompts.Length; i++)
            {
                if (positions[i] < prompts[i].Length)
                {
                    steps.Add(Step($"b-{i}", [prompts[i][positions[i]]], positions[i]));
                    owners.Add(i);
                }
            }
            if (round is 1 or 2)
            {
                steps.Insert(1, round == 1 ? Step("b-late", late[..9], 0) : Step("b-late", late[9..], 9));
                owners.Insert(1, -1);
            }
            var outputs = batched.Forward(steps);
            for (int s = 0; s < steps.Count; s++)
            {
                if (owners[s] < 0)
                {
                    lateLogits = outputs[s].Logits;
                    continue;
                }
                last[owners[s]] = outputs[s].Logits!;
                positions[owners[s]]++;
            }
        }

        for (int i = 0; i < prompts.Length; i++)
        {
            CollectionAssert.AreEqual(soloLogits[i], last[i], $"sequence {i} ({dtype})");
        }
        CollectionAssert.AreEqual(soloLate, lateLogits, $"the prefill chunked 9+5 inside decode batches ({dtype})");
        Assert.IsGreaterThan(1e-3, Numerics.MaxAbsDiff(last[0], last[1]), "different prompts must give different logits");
    }

    static float[] Solo(ModelSlice slice, string id, int[] tokens, int prefill) => EngineRun.LastLogits([slice], id, tokens, prefill);

    [TestMethod]
    [DataRow(ComputeDtype.Float32, false)]
    [DataRow(ComputeDtype.BFloat16, false)]
    [DataRow(ComputeDtype.BFloat16, true)] // on the AMX tiles (where there are some)
    public void ChunkingAPromptDoesNotChangeItsLogits(ComputeDtype dtype, bool tiles)
    {
        int[] tokens = EngineRun.Prompt(21, 512, seed: 5);
        using var slice = ModelSlice.Load(Tiny, LayerRange.All(4), Options(dtype, tiles: tiles));
        var whole = EngineRun.Step([slice], "whole", tokens, 0);
        EngineRun.Step([slice], "chunked", tokens[..8], 0);
        EngineRun.Step([slice], "chunked", tokens[8..13], 8);
        var chunked = EngineRun.Step([slice], "chunked", tokens[13..], 13);
        CollectionAssert.AreEqual(whole, chunked);
    }

    [TestMethod]
    public void ARefusedStepRejectsTheBatchAndTouchesNothing()
    {
        using var slice = ModelSlice.Load(Tiny, LayerRange.All(4), EngineRun.F32 with { MaxContextTokens = 16 });
        slice.Forward("a", SliceInput.FromTokens([1, 2, 3]), 0);
        var e = Assert.ThrowsExactly<StepRejectedException>(() => slice.Forward(
            [Step("a", [4], 3), Step("new", [5, 6], 0), Step("far", [7], 4)]));
        Assert.AreEqual(2, e.StepIndex);
        Assert.AreEqual("far", e.SequenceId);
        Assert.IsInstanceOfType<KvCacheFullException>(e.InnerException);
        Assert.AreEqual(3, slice.CachedLength("a"), "the accepted step of 'a' did not run");
        Assert.IsNull(slice.CachedLength("new"), "a new sequence in a refused batch gets no cache");

        var duplicate = Assert.ThrowsExactly<StepRejectedException>(() => slice.Forward([Step("a", [4], 3), Step("a", [5], 4)]));
        Assert.AreEqual(1, duplicate.StepIndex);
        var tooLong = Assert.ThrowsExactly<StepRejectedException>(() => slice.Forward([Step("long", new int[17], 0)]));
        StringAssert.Contains(tooLong.Message, "capacity of 16");
        Assert.IsNull(slice.CachedLength("long"));
    }

    [TestMethod]
    [DataRow(ComputeDtype.Float32, false)]
    [DataRow(ComputeDtype.BFloat16, false)]
    [DataRow(ComputeDtype.BFloat16, true)] // on the AMX tiles (where there are some)
    public void BatchedChainOfSlicesEqualsWholeModelBitwise(ComputeDtype dtype, bool tiles)
    {
        int[][] prompts = [EngineRun.Prompt(7, 512, seed: 1), EngineRun.Prompt(5, 512, seed: 2)];
        using var whole = ModelSlice.Load(Tiny, LayerRange.All(4), Options(dtype, tiles: tiles));
        using var first = ModelSlice.Load(Tiny, new LayerRange(0, 1), Options(dtype, tiles: tiles));
        using var second = ModelSlice.Load(Tiny, new LayerRange(1, 4), Options(dtype, tiles: tiles));
        var steps = prompts.Select((p, i) => Step($"s{i}", p, 0)).ToList();
        var expected = whole.Forward(steps);
        var hidden = first.Forward(steps);
        var chained = second.Forward([.. steps.Select((s, i) => s with { Input = SliceInput.FromActivations(hidden[i].Activations!) })]);
        for (int i = 0; i < steps.Count; i++)
        {
            // In bf16 the residual stream holds bf16 values, so the hop loses nothing.
            CollectionAssert.AreEqual(expected[i].Logits, chained[i].Logits, $"sequence {i}");
        }
    }

    [TestMethod]
    public async Task FreeingWhileForwardsRunIsSafe()
    {
        using var slice = ModelSlice.Load(Tiny, LayerRange.All(4), Options(ComputeDtype.BFloat16));
        int[] prompt = EngineRun.Prompt(6, 512);
        int refused = 0;
        var stepping = Task.Run(() =>
        {
            for (int round = 0; round < 200; round++)
            {
                var keep = Step("keep", [round % 500 + 1], round);
                try
                {
                    slice.Forward([Step($"r{round % 4}", prompt, 0), keep]);
                }
                catch (StepRejectedException e) when (e.SequenceId != "keep")
                {
                    // Freed between being found and being locked: the scheduler drops that step and goes on.
                    refused++;
                    slice.Forward([keep]);
                }
            }
        });
        var freeing = Task.Run(() =>
        {
            for (int i = 0; i < 2000 && !stepping.IsCompleted; i++)
            {
                slice.Free($"r{i % 4}");
            }
        });
        await Task.WhenAll(stepping, freeing);
        Assert.AreEqual(200, slice.CachedLength("keep"), "the sequence nobody freed advanced every round");
        Assert.IsLessThanOrEqualTo(200, refused);
    }
}
