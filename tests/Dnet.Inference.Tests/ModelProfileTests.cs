using Dnet.Inference.Model;
using Dnet.Models;

namespace Dnet.Inference.Tests;

[TestClass]
public sealed class ModelProfileTests
{
    [TestMethod]
    [DataRow("llama")]
    [DataRow("qwen2")]
    [DataRow("qwen3")]
    public void BytesPerLayerEqualWhatALayerSliceMaps(string variant)
    {
        var spec = variant switch
        {
            "qwen2" => TestCheckpoints.Qwen2,
            "qwen3" => TestCheckpoints.Qwen3,
            _ => TestCheckpoints.Tiny,
        };
        string folder = TestCheckpoints.Folder(spec);
        var profile = ModelProfile.From(ModelConfig.Load(folder), ComputeDtype.Float32);
        using var oneLayer = ModelSlice.Load(folder, new LayerRange(1, 2), EngineRun.F32);
        using var last = ModelSlice.Load(folder, new LayerRange(3, 4), EngineRun.F32);

        Assert.AreEqual(oneLayer.MappedBytes, profile.BytesPerLayer);
        Assert.AreEqual(last.MappedBytes, profile.WeightBytesPerToken(new LayerRange(3, 4)));
    }

    [TestMethod]
    public void FlopsGrowWithContextAndKvMatchesConfig()
    {
        var config = ModelConfig.Load(TestCheckpoints.Folder(TestCheckpoints.Tiny));
        var profile = ModelProfile.From(config, ComputeDtype.BFloat16);
        Assert.AreEqual(2 * profile.ParametersPerLayer, profile.FlopsPerTokenPerLayer(0));
        Assert.AreEqual(4L * 100 * 64, profile.FlopsPerTokenPerLayer(100) - profile.FlopsPerTokenPerLayer(0));
        Assert.AreEqual(2L * 2 * 16 * 2, profile.KvBytesPerTokenPerLayer, "K and V, 2 kv heads of 16 dims, 2 bytes each");
    }
}
