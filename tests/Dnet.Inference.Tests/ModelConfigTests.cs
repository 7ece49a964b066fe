using Dnet.Models;

namespace Dnet.Inference.Tests;

/// <summary>config.json files shaped like published checkpoints parse into what the forward pass needs.</summary>
[TestClass]
public sealed class ModelConfigTests
{
    static ModelConfig Parse(string json)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"dnet-config-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "config.json"), json);
            return ModelConfig.Load(folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void Llama32WithLlama3RopeScaling()
    {
        var c = Parse("""
            {"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":2048,"intermediate_size":8192,
             "num_hidden_layers":16,"num_attention_heads":32,"num_key_value_heads":8,"head_dim":64,"vocab_size":128256,
             "rms_norm_eps":1e-05,"rope_theta":500000.0,"max_position_embeddings":131072,"tie_word_embeddings":true,
             "rope_scaling":{"factor":32.0,"high_freq_factor":4.0,"low_freq_factor":1.0,
                             "original_max_position_embeddings":8192,"rope_type":"llama3"},
             "eos_token_id":[128001,128008,128009],"torch_dtype":"bfloat16"}
            """);
        Assert.AreEqual(64, c.HeadDim);
        Assert.AreEqual(8, c.NumKeyValueHeads);
        Assert.IsTrue(c.TieWordEmbeddings);
        Assert.AreEqual("llama3", c.RopeScaling!.RopeType);
        Assert.AreEqual(8192, c.RopeScaling.OriginalMaxPositionEmbeddings);
        var inverse = RopeScaling.InverseFrequencies(c.HeadDim, c.RopeTheta, c.RopeScaling);
        Assert.AreEqual(1.0, inverse[0], "the highest frequency has a wavelength under 8192/4 and is kept");
        Assert.AreEqual(Math.Pow(500000, -62.0 / 64) / 32, inverse[^1], 1e-15, "the lowest is divided by the factor");
    }

    [TestMethod]
    public void Qwen2HasBiasAndIgnoresAnUnusedSlidingWindow()
    {
        var c = Parse("""
            {"model_type":"qwen2","hidden_size":896,"intermediate_size":4864,"num_hidden_layers":24,
             "num_attention_heads":14,"num_key_value_heads":2,"vocab_size":151936,"rms_norm_eps":1e-06,
             "rope_theta":1000000.0,"max_position_embeddings":32768,"sliding_window":4096,"use_sliding_window":false,
             "tie_word_embeddings":true}
            """);
        Assert.IsTrue(c.AttentionBias);
        Assert.AreEqual(64, c.HeadDim);
        Assert.IsNull(c.SlidingWindow);
    }

    [TestMethod]
    public void Qwen3HasQkNormAndExplicitHeadDim()
    {
        var c = Parse("""
            {"model_type":"qwen3","hidden_size":1024,"intermediate_size":3072,"num_hidden_layers":28,
             "num_attention_heads":16,"num_key_value_heads":8,"head_dim":128,"vocab_size":151936,
             "attention_bias":false,"rms_norm_eps":1e-06,"rope_theta":1000000,"max_position_embeddings":40960,
             "sliding_window":null,"tie_word_embeddings":true}
            """);
        Assert.IsTrue(c.QkNorm);
        Assert.IsFalse(c.AttentionBias);
        Assert.AreEqual(128, c.HeadDim);
        Assert.IsNull(c.SlidingWindow);
    }

    [TestMethod]
    public void UnsupportedRopeTypeNamesConfig()
    {
        var e = Assert.ThrowsExactly<CheckpointException>(() => Parse("""
            {"model_type":"llama","hidden_size":64,"intermediate_size":128,"num_hidden_layers":2,
             "num_attention_heads":4,"vocab_size":100,"rope_scaling":{"rope_type":"yarn","factor":4.0}}
            """));
        StringAssert.Contains(e.Message, "config.json");
        StringAssert.Contains(e.Message, "yarn");
    }
}
