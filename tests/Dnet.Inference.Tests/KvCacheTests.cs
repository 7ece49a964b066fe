using System.Diagnostics;
using Dnet.Inference.Model;
using Dnet.Models;

namespace Dnet.Inference.Tests;

[TestClass]
public sealed class KvCacheTests
{
    static string Tiny => TestCheckpoints.Folder(TestCheckpoints.Tiny);

    [TestMethod]
    [DataRow(ComputeDtype.Float32)]
    [DataRow(ComputeDtype.BFloat16)]
    public void StepBeyondCapacityFailsClearly(ComputeDtype dtype)
    {
        using var slice = ModelSlice.Load(Tiny, LayerRange.All(4), new ModelSliceOptions { ComputeDtype = dtype, MaxContextTokens = 8 });
        Assert.AreEqual(8, slice.ContextCapacity);
        EngineRun.LastLogits([slice], "r1", EngineRun.Prompt(8, 512), prefill: 6);

        var e = Assert.ThrowsExactly<KvCacheFullException>(() => EngineRun.Step([slice], "r1", [5], 8));
        StringAssert.Contains(e.Message, "r1");
        StringAssert.Contains(e.Message, "capacity of 8");
        Assert.AreEqual(8, slice.CachedLength("r1"), "a refused step leaves the cache as it was");
    }

    [TestMethod]
    public void CapacityIsTheSmallerOfConfigAndOption()
    {
        using var slice = ModelSlice.Load(Tiny, new LayerRange(0, 1), EngineRun.F32 with { MaxContextTokens = 100_000 });
        Assert.AreEqual(TestCheckpoints.Tiny.MaxPositionEmbeddings, slice.ContextCapacity);
    }

    [TestMethod]
    public void StepThatLeavesAGapFails()
    {
        using var slice = ModelSlice.Load(Tiny, LayerRange.All(4), EngineRun.F32);
        EngineRun.Step([slice], "r", [1, 2, 3], 0);
        Assert.ThrowsExactly<KvCacheFullException>(() => EngineRun.Step([slice], "r", [4], 5));
    }

    [TestMethod]
    public void FreeReleasesTheSequence()
    {
        using var slice = ModelSlice.Load(Tiny, LayerRange.All(4), EngineRun.F32);
        int[] tokens = EngineRun.Prompt(6, 512);
        var before = EngineRun.Step([slice], "r", tokens, 0);
        EngineRun.Step([slice], "other", tokens, 0);

        Assert.IsTrue(slice.Free("r"));
        Assert.IsFalse(slice.Free("r"), "freeing twice reports nothing to free");
        Assert.IsNull(slice.CachedLength("r"));
        CollectionAssert.AreEquivalent(new[] { "other" }, slice.Sequences.ToList());
        Assert.ThrowsExactly<KvCacheFullException>(() => EngineRun.Step([slice], "r", [1], 6), "the freed cache is gone");
        CollectionAssert.AreEquivalent(new[] { "other" }, slice.Sequences.ToList(), "a refused step allocates no cache");
        Assert.AreEqual(0, Numerics.MaxAbsDiff(before, EngineRun.Step([slice], "r", tokens, 0)), "a new sequence under the same id starts clean");
    }

    [TestMethod]
    public void MalformedInputIsRejectedBeforeTouchingTheCache()
    {
        using var first = ModelSlice.Load(Tiny, new LayerRange(0, 2), EngineRun.F32);
        using var second = ModelSlice.Load(Tiny, new LayerRange(2, 4), EngineRun.F32);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => first.Forward("r", SliceInput.FromTokens([1, 512]), 0));
        Assert.ThrowsExactly<ArgumentException>(() => first.Forward("r", SliceInput.FromTokens([]), 0));
        var wrongWidth = new ActivationFrame(new byte[2 * 63 * 4], 2, 63, ComputeDtype.Float32);
        Assert.ThrowsExactly<ArgumentException>(() => second.Forward("r", SliceInput.FromActivations(wrongWidth), 0));
        Assert.IsEmpty(first.Sequences);
        Assert.IsEmpty(second.Sequences);
    }

    [TestMethod]
    [DataRow(ComputeDtype.Float32)]
    [DataRow(ComputeDtype.BFloat16)]
    public void ResidentMemoryStaysFlatOver2000DecodeSteps(ComputeDtype dtype)
    {
        using var slice = ModelSlice.Load(Tiny, LayerRange.All(4), new ModelSliceOptions { ComputeDtype = dtype });
        int token = 1;
        void Decode(string id, int steps)
        {
            for (int position = 0; position < steps; position++)
            {
                var logits = EngineRun.Step([slice], id, [token], position);
                token = Array.IndexOf(logits, logits.Max());
            }
        }
        // Warm-up lets torch's allocator and the JIT reach their steady state.
        Decode("warm-decode", 200);
        slice.Free("warm-decode");
        long before = ResidentBytes();

        Decode("measured", 2000);
        long after = ResidentBytes();

        Assert.IsLessThan(40L << 20, after - before, $"RSS grew {(after - before) >> 20} MiB over 2000 decode steps");
    }

    static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
