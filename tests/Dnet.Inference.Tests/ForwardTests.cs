using Dnet.Inference.Model;
using Dnet.Models;

namespace Dnet.Inference.Tests;

[TestClass]
public sealed class ForwardTests
{
    static string Tiny => TestCheckpoints.Folder(TestCheckpoints.Tiny);

    [TestMethod]
    [DataRow(ComputeDtype.Float32, false)]
    [DataRow(ComputeDtype.BFloat16, false)]
    [DataRow(ComputeDtype.BFloat16, true)]
    public void CachedDecodeEqualsFullRecompute(ComputeDtype dtype, bool tiles)
    {
        if (tiles)
        {
            Kernels.TileProjectionTests.TilesRequired();
        }
        int[] tokens = EngineRun.Prompt(24, 512);
        using var slice = ModelSlice.Load(Tiny, LayerRange.All(4), new ModelSliceOptions { ComputeDtype = dtype, MatrixTiles = tiles });
        Assert.AreEqual(tiles, slice.OnMatrixTiles);

        var cached = EngineRun.LastLogits([slice], "cached", tokens, prefill: 8);
        var recomputed = EngineRun.Step([slice], "full", tokens, 0);

        // Every row is computed the same way whether it is a decode step or one row of a prefill: bitwise equal.
        CollectionAssert.AreEqual(recomputed, cached);
    }

    [TestMethod]
    [DataRow(new[] { 0, 4 }, ComputeDtype.Float32, false)]
    [DataRow(new[] { 0, 2, 4 }, ComputeDtype.Float32, false)]
    [DataRow(new[] { 0, 1, 3, 4 }, ComputeDtype.Float32, false)]
    [DataRow(new[] { 0, 1, 2, 3, 4 }, ComputeDtype.Float32, false)]
    [DataRow(new[] { 0, 2, 4 }, ComputeDtype.BFloat16, false)]
    [DataRow(new[] { 0, 1, 2, 3, 4 }, ComputeDtype.BFloat16, false)]
    [DataRow(new[] { 0, 1, 3, 4 }, ComputeDtype.BFloat16, true)]
    public void ChainedSlicesEqualWholeModel(int[] bounds, ComputeDtype dtype, bool tiles)
    {
        if (tiles)
        {
            Kernels.TileProjectionTests.TilesRequired();
        }
        int[] tokens = EngineRun.Prompt(12, 512);
        var options = new ModelSliceOptions { ComputeDtype = dtype, MatrixTiles = tiles };
        var whole = EngineRun.WholeModel(Tiny, tokens, prefill: 6, options);

        var ring = bounds.Zip(bounds.Skip(1), (start, end) => ModelSlice.Load(Tiny, new LayerRange(start, end), options)).ToList();
        try
        {
            // The hidden state crosses slices in the compute dtype, which the residual stream already holds: exact.
            var chained = EngineRun.LastLogits(ring, "chain", tokens, prefill: 6);
            CollectionAssert.AreEqual(whole, chained);
        }
        finally
        {
            ring.ForEach(s => s.Dispose());
        }
    }

    [TestMethod]
    public void InterleavedSequencesDoNotShareState()
    {
        int[] a = EngineRun.Prompt(10, 512, seed: 1);
        int[] b = EngineRun.Prompt(10, 512, seed: 2);
        using var slice = ModelSlice.Load(Tiny, LayerRange.All(4), EngineRun.F32);
        var aloneA = EngineRun.LastLogits([slice], "alone-a", a, prefill: 4);
        var aloneB = EngineRun.LastLogits([slice], "alone-b", b, prefill: 4);

        float[] lastA = EngineRun.Step([slice], "a", a[..4], 0), lastB = EngineRun.Step([slice], "b", b[..4], 0);
        for (int t = 4; t < 10; t++)
        {
            lastB = EngineRun.Step([slice], "b", [b[t]], t);
            lastA = EngineRun.Step([slice], "a", [a[t]], t);
        }

        Assert.AreEqual(0, Numerics.MaxAbsDiff(aloneA, lastA));
        Assert.AreEqual(0, Numerics.MaxAbsDiff(aloneB, lastB));
        Assert.IsGreaterThan(1e-3, Numerics.MaxAbsDiff(lastA, lastB), "two different prompts should not give the same logits");
    }

    [TestMethod]
    public async Task SequencesSteppedFromTwoThreadsMatchSerialRuns()
    {
        using var slice = ModelSlice.Load(Tiny, LayerRange.All(4), EngineRun.F32);
        int[][] prompts = [EngineRun.Prompt(16, 512, seed: 3), EngineRun.Prompt(16, 512, seed: 4)];
        var serial = prompts.Select((p, i) => EngineRun.LastLogits([slice], $"serial-{i}", p, prefill: 4)).ToList();

        var parallel = await Task.WhenAll(prompts.Select((p, i) =>
            Task.Run(() => EngineRun.LastLogits([slice], $"parallel-{i}", p, prefill: 4))));

        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.AreEqual(0, Numerics.MaxAbsDiff(serial[i], parallel[i]), $"sequence {i}");
        }
    }

    [TestMethod]
    public void Bf16ComputeTracksF32()
    {
        int[] tokens = EngineRun.Prompt(12, 512);
        var f32 = EngineRun.WholeModel(Tiny, tokens, prefill: 6);
        var bf16 = EngineRun.WholeModel(Tiny, tokens, prefill: 6, new ModelSliceOptions { ComputeDtype = ComputeDtype.BFloat16 });

        // bf16 keeps 8 bits of mantissa: expect agreement to a few percent of the logit spread, not exactness.
        Assert.IsLessThan(0.1 * Numerics.Std(f32) + 0.05, Numerics.MaxAbsDiff(f32, bf16));
    }

    [TestMethod]
    public void OnTheTilesEveryProjectionTheyCanHoldIsCopiedOnceAndTheRestStaysOnTheKernel()
    {
        Kernels.TileProjectionTests.TilesRequired();
        var c = ModelConfig.Load(Tiny);
        using var tiled = ModelSlice.Load(Tiny, LayerRange.All(4), new ModelSliceOptions { ComputeDtype = ComputeDtype.BFloat16, MatrixTiles = true });
        using var kernel = ModelSlice.Load(Tiny, LayerRange.All(4), new ModelSliceOptions { ComputeDtype = ComputeDtype.BFloat16, MatrixTiles = false });
        using var f32 = ModelSlice.Load(Tiny, LayerRange.All(4), new ModelSliceOptions { ComputeDtype = ComputeDtype.Float32, MatrixTiles = true });

        // A tile is 16 rows by 32 columns; dnet-tiny's MLP (172 wide) fits neither way, so only q|k|v, o and lm_head move.
        static long Bytes(int rows, int cols) => rows % 16 == 0 && cols % 32 == 0 ? 2L * rows * cols : 0;
        int q = c.NumAttentionHeads * c.HeadDim, kv = c.NumKeyValueHeads * c.HeadDim;
        long perLayer = Bytes(q, c.HiddenSize) + 2 * Bytes(kv, c.HiddenSize) + Bytes(c.HiddenSize, q)
            + 2 * Bytes(c.IntermediateSize, c.HiddenSize) + Bytes(c.HiddenSize, c.IntermediateSize);
        Assert.AreEqual(c.NumHiddenLayers * perLayer + Bytes(c.VocabSize, c.HiddenSize), tiled.TiledBytes);
        Assert.IsTrue(tiled.OnMatrixTiles);
        Assert.AreEqual(0, kernel.TiledBytes, "tiles off");
        Assert.AreEqual(0, f32.TiledBytes, "the tiles multiply bf16 only");
        Assert.IsFalse(f32.OnMatrixTiles);
    }
}
