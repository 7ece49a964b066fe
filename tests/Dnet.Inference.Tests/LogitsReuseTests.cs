using Dnet.Inference.Model;
using Dnet.Models;

namespace Dnet.Inference.Tests;

/// <summary>
/// The last slice hands out logits arrays from a pool: an array handed back is reused by a later step (the shard
/// returns each after sampling, so decoding allocates no large array per token), one that is kept is never
/// overwritten, and reuse changes no value.
/// </summary>
[TestClass]
public sealed class LogitsReuseTests
{
    static string Tiny => TestCheckpoints.Folder(TestCheckpoints.Tiny);

    static SequenceStep Step(string id, int[] tokens, int start) => new(id, SliceInput.FromTokens(tokens), start);

    [TestMethod]
    public void AReturnedArrayServesTheNextStepAndAKeptOneIsNeverReused()
    {
        int[] prompt = EngineRun.Prompt(10, 512, seed: 31);
        using var slice = ModelSlice.Load(Tiny, LayerRange.All(4), new ModelSliceOptions { ComputeDtype = ComputeDtype.Float32, Threads = 1 });

        var kept = slice.Forward([Step("a", prompt[..8], 0)])[0];
        var keptValues = kept.Logits!.ToArray();
        var next = slice.Forward([Step("a", [prompt[8]], 8)])[0];
        Assert.AreNotSame(kept.Logits, next.Logits, "an array not handed back must not be handed out again");
        CollectionAssert.AreEqual(keptValues, kept.Logits, "a kept array must not be overwritten by a later step");

        var returned = next.Logits!;
        next.ReturnLogits();
        var after = slice.Forward([Step("a", [prompt[9]], 9)])[0];
        Assert.AreSame(returned, after.Logits, "the returned array should serve the next step");
    }

    [TestMethod]
    public void ReturningTwiceHandsTheArrayOutOnce()
    {
        int[] prompt = EngineRun.Prompt(6, 512, seed: 33);
        using var slice = ModelSlice.Load(Tiny, LayerRange.All(4), new ModelSliceOptions { ComputeDtype = ComputeDtype.Float32, Threads = 1 });

        var first = slice.Forward([Step("a", prompt[..4], 0)])[0];
        first.ReturnLogits();
        first.ReturnLogits();
        var outputs = slice.Forward([Step("a", [prompt[4]], 4), Step("b", prompt[..2], 0)]);
        Assert.AreNotSame(outputs[0].Logits, outputs[1].Logits, "two steps of one batch must never share an array");
    }

    [TestMethod]
    public void ReusedArraysHoldTheSameLogitsAsFreshOnes()
    {
        int[] prompt = EngineRun.Prompt(12, 512, seed: 32);
        using var pooled = ModelSlice.Load(Tiny, LayerRange.All(4), new ModelSliceOptions { ComputeDtype = ComputeDtype.BFloat16, Threads = 2 });
        using var fresh = ModelSlice.Load(Tiny, LayerRange.All(4), new ModelSliceOptions { ComputeDtype = ComputeDtype.BFloat16, Threads = 2 });

        var expected = new List<float[]> { fresh.Forward([Step("s", prompt[..6], 0)])[0].Logits! };
        var actual = pooled.Forward([Step("s", prompt[..6], 0)])[0];
        var seen = new List<float[]> { actual.Logits!.ToArray() };
        actual.ReturnLogits();
        for (int position = 6; position < prompt.Length; position++)
        {
            expected.Add(fresh.Forward([Step("s", [prompt[position]], position)])[0].Logits!);
            var output = pooled.Forward([Step("s", [prompt[position]], position)])[0];
            seen.Add(output.Logits!.ToArray());
            output.ReturnLogits();
        }

        for (int i = 0; i < expected.Count; i++)
        {
            CollectionAssert.AreEqual(expected[i], seen[i], $"step {i}");
        }
    }
}
