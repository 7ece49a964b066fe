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
    public void EngineLogitsMatchReferenceForward(string variant)
    {
        string folder = TestCheckpoints.Folder(Spec(variant));
        var config = ModelConfig.Load(folder);
        int[] tokens = EngineRun.Prompt(14, config.VocabSize);

        var expected = new ReferenceTransformer(folder).LastLogits(tokens);
        var actual = EngineRun.WholeModel(folder, tokens, prefill: 9);

        Assert.IsGreaterThan(0.1, Numerics.Std(expected), "reference logits are degenerate: the test would prove little");
        Assert.IsLessThan(1e-4, Numerics.MaxAbsDiff(expected, actual));
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
