using Dnet.Inference.Model;
using Dnet.Inference.Tests.Kernels;
using Dnet.Models;

namespace Dnet.Inference.Tests;

/// <summary>
/// Whole slices with prompt chunks on the bf16 matrix units (the default in bf16 where the CPU has them): a chunk's
/// logits never depend on what else is in its batch, and they track the float32 kernel's within bf16 rounding.
/// </summary>
[TestClass]
public sealed class PromptMatrixUnitsTests
{
    static string Tiny => TestCheckpoints.Folder(TestCheckpoints.Tiny);

    static ModelSliceOptions Options(bool units, int threads = 2) =>
        new() { ComputeDtype = ComputeDtype.BFloat16, PromptsOnMatrixUnits = units, Threads = threads };

    static SequenceStep Step(string id, int[] tokens, int start) => new(id, SliceInput.FromTokens(tokens), start);

    [TestMethod]
    public void APromptChunkGivesTheSameLogitsAloneAndBesideDecodesAndAnotherChunk()
    {
        PromptProjectionTests.MatrixUnitsRequired();
        int[] prompt = EngineRun.Prompt(19, 512, seed: 31);
        int[] other = EngineRun.Prompt(11, 512, seed: 32);
        using var alone = ModelSlice.Load(Tiny, LayerRange.All(4), Options(units: true, threads: 1));
        Assert.IsTrue(alone.PromptsOnMatrixUnits);
        var expected = alone.Forward("alone", SliceInput.FromTokens(prompt), 0).Logits!;

        using var busy = ModelSlice.Load(Tiny, LayerRange.All(4), Options(units: true, threads: 3));
        busy.Forward([Step("d0", EngineRun.Prompt(5, 512, seed: 33), 0), Step("d1", EngineRun.Prompt(9, 512, seed: 34), 0)]);
        var outputs = busy.Forward([Step("d0", [7], 5), Step("d1", [8], 9), Step("other", other, 0), Step("prompt", prompt, 0)]);

        CollectionAssert.AreEqual(expected, outputs[3].Logits, "the chunk beside two decode rows and another chunk");
        Assert.IsGreaterThan(1e-3, Numerics.MaxAbsDiff(outputs[2].Logits, outputs[3].Logits), "different prompts must give different logits");
    }

    [TestMethod]
    public void PromptsOnMatrixUnitsTrackTheKernelAndDecodeOnFromTheirCache()
    {
        PromptProjectionTests.MatrixUnitsRequired();
        int[] tokens = EngineRun.Prompt(24, 512, seed: 35);
        using var units = ModelSlice.Load(Tiny, LayerRange.All(4), Options(units: true));
        using var kernel = ModelSlice.Load(Tiny, LayerRange.All(4), Options(units: false));

        // A 16-token prompt chunk, then 8 decode rows reading the K/V that the chunk wrote.
        var onUnits = EngineRun.LastLogits([units], "s", tokens, prefill: 16);
        var onKernel = EngineRun.LastLogits([kernel], "s", tokens, prefill: 16);

        // The same bound as bf16 against f32 compute (ForwardTests.Bf16ComputeTracksF32): rounding, not a wrong result.
        Assert.IsLessThan(0.1 * Numerics.Std(onKernel) + 0.05, Numerics.MaxAbsDiff(onKernel, onUnits));
        Assert.IsGreaterThan(0.0, Numerics.MaxAbsDiff(onKernel, onUnits), "the prompt did go through the other path");
    }
}
