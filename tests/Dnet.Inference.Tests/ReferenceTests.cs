using Dnet.Inference.Model;
using Dnet.Inference.Tests.Reference;
using Dnet.Models;

namespace Dnet.Inference.Tests;

/// <summary>The engine against an independent plain-C# forward pass: our guard against silent math errors.</summary>
[TestClass]
public sealed class ReferenceTests
{
    static GeneratedModelSpec Spec(string name) => name switch
    {
        "llama" => TestCheckpoints.Tiny,
        "mistral" => TestCheckpoints.Tiny with { Name = "tiny-mistral", ModelType = "mistral" },
        "qwen2" => TestCheckpoints.Qwen2,
        "qwen3" => TestCheckpoints.Qwen3,
        "llama3-rope" => TestCheckpoints.Llama3Rope,
        "bf16-file" => TestCheckpoints.Tiny with { Dtype = TensorDtype.BFloat16 },
        "f16-file" => TestCheckpoints.Tiny with { Dtype = TensorDtype.Float16 },
        "tied" => TestCheckpoints.Tiny with { TieWordEmbeddings = true },
        "bf16-compute" or "qwen3-bf16-compute" or "bf16-tiles" or "qwen3-bf16-tiles" => name.StartsWith("qwen3", StringComparison.Ordinal)
            ? TestCheckpoints.Qwen3 with { Dtype = TensorDtype.BFloat16 }
            : TestCheckpoints.Tiny with { Dtype = TensorDtype.BFloat16 },
        _ => throw new ArgumentException(name),
    };

    [TestMethod]
    [DataRow("llama")]
    [DataRow("mistral")]
    [DataRow("qwen2")]
    [DataRow("qwen3")]
    [DataRow("llama3-rope")]
    [DataRow("bf16-file")]
    [DataRow("f16-file")]
    [DataRow("tied")]
    [DataRow("bf16-compute")]
    [DataRow("qwen3-bf16-compute")]
    [DataRow("bf16-tiles")]
    [DataRow("qwen3-bf16-tiles")]
    public void EngineLogitsMatchReferenceForward(string variant)
    {
        bool tiles = variant.EndsWith("-tiles", StringComparison.Ordinal);
        if (tiles)
        {
            Kernels.TileProjectionTests.TilesRequired();
        }
        string folder = TestCheckpoints.Folder(Spec(variant));
        var config = ModelConfig.Load(folder);
        int[] tokens = EngineRun.Prompt(14, config.VocabSize);

        var expected = new ReferenceTransformer(folder).LastLogits(tokens);
        bool bf16 = variant.EndsWith("bf16-compute", StringComparison.Ordinal) || tiles;
        var actual = EngineRun.WholeModel(folder, tokens, prefill: 9, bf16 ? new ModelSliceOptions { ComputeDtype = ComputeDtype.BFloat16, MatrixTiles = tiles } : null);

        Assert.IsGreaterThan(0.1, Numerics.Std(expected), "reference logits are degenerate: the test would prove little");
        // f32: summation order only. bf16 compute keeps the residual stream and the KV cache in bf16 (8 bits of
        // mantissa), so it tracks the double-precision reference to a few percent of the logit spread; on the tiles the
        // projections' inputs are bf16 too, as in torch's bf16 inference.
        double tolerance = bf16 ? 0.05 * Numerics.Std(expected) : 1e-4;
        Assert.IsLessThan(tolerance, Numerics.MaxAbsDiff(expected, actual));
    }

    [TestMethod]
    public void PositionAndHeadSharingMatter()
    {
        // Guards the guard: a prompt with two tokens swapped must change the reference logits, so RoPE and the
        // causal order are actually exercised by the comparison above.
        string folder = TestCheckpoints.Folder(TestCheckpoints.Tiny);
        int[] tokens = EngineRun.Prompt(14, 512);
        int[] swapped = [.. tokens];
        (swapped[3], swapped[4]) = (swapped[4], swapped[3]);
        var reference = new ReferenceTransformer(folder);
        Assert.IsGreaterThan(1e-3, Numerics.MaxAbsDiff(reference.LastLogits(tokens), reference.LastLogits(swapped)));
    }
}
