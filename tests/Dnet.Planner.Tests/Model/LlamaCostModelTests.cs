using System.Text.Json.Nodes;
using Dnet.Models;
using Dnet.Planner.Model;

namespace Dnet.Planner.Tests.Model;

[TestClass]
public sealed class LlamaCostModelTests
{
    [TestMethod]
    public void DnetTinyParameterCountsByHand()
    {
        // hidden 64, 4 heads of 16, 2 KV heads (K/V width 32), intermediate 172:
        // q 64·64 + k 64·32 + v 64·32 + o 64·64 = 12,288; gate/up/down 3·64·172 = 33,024; two norms 128.
        var tiny = GeneratedModelSpec.DnetTiny.Config;
        Assert.AreEqual(12_288 + 33_024 + 128, LlamaCostModel.ParametersPerLayer(tiny));
        // 4 layers + embed_tokens 512·64 + untied lm_head 512·64 + final norm 64.
        Assert.AreEqual(4 * 45_440 + 32_768 + 32_768 + 64, LlamaCostModel.TotalParameters(tiny));
    }

    [TestMethod]
    public void DnetTinyProfileInF32()
    {
        var profile = LlamaCostModel.Profile(GeneratedModelSpec.DnetTiny.Config, ComputeDtype.Float32, contextLength: 2048);

        Assert.AreEqual(4, profile.LayerCount);
        Assert.AreEqual(45_440 * 4, profile.Layers[0].WeightBytes);
        Assert.AreEqual(2 * 32 * 4, profile.Layers[0].KvBytesPerToken);
        // 2 FLOPs per weight + attention 4 · context · query width (64).
        Assert.AreEqual(2 * 45_440 + 4.0 * 2048 * 64, profile.Layers[0].FlopsPerToken);
        Assert.AreEqual(32_768 * 4, profile.EmbeddingBytes);
        Assert.AreEqual((32_768 + 64) * 4, profile.HeadBytes);
        Assert.AreEqual(2.0 * 32_768, profile.HeadFlopsPerToken);
        Assert.AreEqual(0, profile.TiedHeadBytes);
        Assert.AreEqual(64 * 4, profile.ActivationBytesPerToken);
    }

    [TestMethod]
    public void DnetBench135MHasSmolLM2Parameters()
    {
        var bench = GeneratedModelSpec.DnetBench135M.Config;

        Assert.AreEqual(134_515_008, LlamaCostModel.TotalParameters(bench));
        var profile = LlamaCostModel.Profile(bench, ComputeDtype.BFloat16, 8192);
        Assert.AreEqual(49_152L * 576 * 2, profile.TiedHeadBytes);
        Assert.AreEqual(2 * 192 * 2, profile.Layers[0].KvBytesPerToken);
    }

    [TestMethod]
    public void ConfigJsonIsReadWithDefaults()
    {
        var shape = ModelConfig.Parse(JsonNode.Parse("""
            {"model_type":"llama","hidden_size":64,"intermediate_size":172,"num_hidden_layers":4,
             "num_attention_heads":4,"num_key_value_heads":2,"vocab_size":512,"rms_norm_eps":1e-05,"torch_dtype":"float32"}
            """)!.AsObject());

        Assert.AreEqual(GeneratedModelSpec.DnetTiny.Config, shape);
    }

    [TestMethod]
    public void Qwen2BiasAndQwen3NormAddParameters()
    {
        JsonObject Config(string type) => JsonNode.Parse($$"""
            {"model_type":"{{type}}","hidden_size":64,"intermediate_size":172,"num_hidden_layers":4,
             "num_attention_heads":4,"num_key_value_heads":2,"head_dim":16,"vocab_size":512}
            """)!.AsObject();

        long llama = LlamaCostModel.ParametersPerLayer(ModelConfig.Parse(Config("llama")));
        Assert.AreEqual(llama + 64 + 2 * 32, LlamaCostModel.ParametersPerLayer(ModelConfig.Parse(Config("qwen2"))));
        Assert.AreEqual(llama + 2 * 16, LlamaCostModel.ParametersPerLayer(ModelConfig.Parse(Config("qwen3"))));
    }

    [TestMethod]
    public void MissingAndUnsupportedFieldsAreNamed()
    {
        var missing = Assert.ThrowsExactly<CheckpointException>(() => ModelConfig.Parse(JsonNode.Parse("""{"model_type":"llama","hidden_size":64}""")!.AsObject()));
        var unsupported = Assert.ThrowsExactly<CheckpointException>(() => ModelConfig.Parse(JsonNode.Parse("""{"model_type":"gpt2"}""")!.AsObject()));

        Assert.AreEqual("num_attention_heads", missing.Field);
        Assert.AreEqual("model_type", unsupported.Field);
        StringAssert.Contains(unsupported.Message, "gpt2");
    }

    [TestMethod]
    public void CheckpointFoldersAndUnknownNamesResolve()
    {
        string folder = Directory.CreateTempSubdirectory("dnet-planner-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "config.json"), """
                {"model_type":"qwen2","hidden_size":128,"intermediate_size":256,"num_hidden_layers":3,
                 "num_attention_heads":4,"vocab_size":1000,"tie_word_embeddings":true}
                """);

            var shape = ModelCatalog.Resolve(folder, inlineConfig: null, copies: []);

            Assert.AreEqual(3, shape.NumHiddenLayers);
            Assert.AreEqual(4, shape.NumKeyValueHeads);
            Assert.IsTrue(shape.AttentionBias);
            Assert.IsTrue(shape.TieWordEmbeddings);
            var unknown = Assert.ThrowsExactly<ModelNotFoundException>(() => ModelCatalog.Resolve(Path.Combine(folder, "nope"), null, []));
            StringAssert.Contains(unknown.Message, string.Join(", ", Dnet.Models.GeneratedModelSpec.Known.Select(spec => spec.Name)), "every generated model is named");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
