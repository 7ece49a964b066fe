using Dnet.Inference.Model;
using Dnet.Models;

namespace Dnet.Inference.Tests;

[TestClass]
public sealed class LoaderTests
{
    [TestMethod]
    public void ShardedIndexGivesTheSameModelAsOneFile()
    {
        string single = TestCheckpoints.Folder(TestCheckpoints.Tiny);
        string sharded = TestCheckpoints.Folder(TestCheckpoints.Tiny with { Shards = 3 });
        Assert.HasCount(3, Directory.GetFiles(sharded, "model-*-of-00003.safetensors"));
        Assert.IsFalse(File.Exists(Path.Combine(sharded, "model.safetensors")));
        int[] tokens = EngineRun.Prompt(8, 512);

        // Same values; only float summation order may differ (the mapped tensors sit at other alignments).
        Assert.IsLessThan(1e-5, Numerics.MaxAbsDiff(EngineRun.WholeModel(single, tokens, 4), EngineRun.WholeModel(sharded, tokens, 4)));
    }

    [TestMethod]
    public void SliceMapsOnlyItsOwnLayers()
    {
        var spec = TestCheckpoints.Tiny with { Name = "tiny-30", NumLayers = 30 };
        string folder = TestCheckpoints.Folder(spec);
        using var middle = ModelSlice.Load(folder, new LayerRange(10, 20), EngineRun.F32);
        var layers = middle.MappedTensorNames.Select(n => int.Parse(n.Split('.')[2])).Distinct().Order().ToList();

        CollectionAssert.AreEqual(Enumerable.Range(10, 10).ToList(), layers);
        Assert.IsTrue(middle.MappedTensorNames.All(n => n.StartsWith("model.layers.", StringComparison.Ordinal)));
        var reference = new Reference.ReferenceTensors(Path.Combine(folder, "model.safetensors"));
        long expected = middle.MappedTensorNames.Sum(n => (long)reference.Get(n).Length * 4);
        Assert.AreEqual(expected, middle.MappedBytes);
        Assert.IsLessThan(new FileInfo(Path.Combine(folder, "model.safetensors")).Length / 2, middle.MappedBytes);
        Assert.AreEqual(0, middle.ConvertedBytes, "f32 file computed in f32 must be mapped, not copied");
    }

    [TestMethod]
    public void FirstSliceHoldsEmbeddingsAndLastHoldsHead()
    {
        string untied = TestCheckpoints.Folder(TestCheckpoints.Tiny);
        using var first = ModelSlice.Load(untied, new LayerRange(0, 2), EngineRun.F32);
        using var last = ModelSlice.Load(untied, new LayerRange(2, 4), EngineRun.F32);
        CollectionAssert.Contains(first.MappedTensorNames.ToList(), "model.embed_tokens.weight");
        CollectionAssert.DoesNotContain(first.MappedTensorNames.ToList(), "lm_head.weight");
        CollectionAssert.IsSubsetOf(new[] { "model.norm.weight", "lm_head.weight" }, last.MappedTensorNames.ToList());
        CollectionAssert.DoesNotContain(last.MappedTensorNames.ToList(), "model.embed_tokens.weight");

        string tied = TestCheckpoints.Folder(TestCheckpoints.Tiny with { TieWordEmbeddings = true });
        using var tiedLast = ModelSlice.Load(tied, new LayerRange(2, 4), EngineRun.F32);
        CollectionAssert.Contains(tiedLast.MappedTensorNames.ToList(), "model.embed_tokens.weight");
        CollectionAssert.DoesNotContain(tiedLast.MappedTensorNames.ToList(), "lm_head.weight");
    }

    [TestMethod]
    public void Bf16FileInBf16IsMappedNotCopiedFusedProjectionsIncluded()
    {
        string folder = TestCheckpoints.Folder(TestCheckpoints.Tiny with { Dtype = TensorDtype.BFloat16 });
        using var slice = ModelSlice.Load(folder, LayerRange.All(4), new ModelSliceOptions { ComputeDtype = ComputeDtype.BFloat16 });
        Assert.AreEqual(0, slice.ConvertedBytes, "q|k|v and gate|up are views over the mapped file, not copies");
        Assert.AreEqual(new FileInfo(Path.Combine(folder, "model.safetensors")).Length - HeaderBytes(folder), slice.MappedBytes);
    }

    static long HeaderBytes(string folder)
    {
        using var file = File.OpenRead(Path.Combine(folder, "model.safetensors"));
        var length = new byte[8];
        file.ReadExactly(length);
        return 8 + BitConverter.ToInt64(length);
    }

    [TestMethod]
    public void ConvertingDtypeIsReportedAsACopy()
    {
        string folder = TestCheckpoints.Folder(TestCheckpoints.Tiny with { Dtype = TensorDtype.Float16 });
        using var slice = ModelSlice.Load(folder, LayerRange.All(4), new ModelSliceOptions { ComputeDtype = ComputeDtype.BFloat16 });
        Assert.AreEqual(slice.MappedBytes, slice.ConvertedBytes, "every f16 tensor is converted to bf16 (same size)");
    }

    static CheckpointException LoadFails(string folder) =>
        Assert.ThrowsExactly<CheckpointException>(() => ModelSlice.Load(folder, LayerRange.All(4), EngineRun.F32).Dispose());

    const string UpProj = "model.layers.2.mlp.up_proj.weight";

    static string Weights(string folder) => Path.Combine(folder, "model.safetensors");

    [TestMethod]
    public void MissingTensorNamesFileAndTensor()
    {
        string folder = TestCheckpoints.CopyOf(TestCheckpoints.Tiny);
        CheckpointSurgery.EditHeader(Weights(folder), h =>
        {
            h["renamed"] = h[UpProj]!.DeepClone();
            h.Remove(UpProj);
        });
        var e = LoadFails(folder);
        StringAssert.Contains(e.Message, "model.safetensors");
        StringAssert.Contains(e.Message, UpProj);
        StringAssert.Contains(e.Message, "missing");
    }

    [TestMethod]
    public void WrongShapeNamesFileAndTensor()
    {
        string folder = TestCheckpoints.CopyOf(TestCheckpoints.Tiny);
        // Same byte count, transposed shape: only a check against config.json can catch it.
        CheckpointSurgery.EditHeader(Weights(folder), h => h[UpProj]!["shape"] = new System.Text.Json.Nodes.JsonArray(64, 172));
        var e = LoadFails(folder);
        StringAssert.Contains(e.Message, "model.safetensors");
        StringAssert.Contains(e.Message, UpProj);
        StringAssert.Contains(e.Message, "shape");
    }

    [TestMethod]
    public void UnsupportedDtypeNamesFileAndTensor()
    {
        string folder = TestCheckpoints.CopyOf(TestCheckpoints.Tiny);
        CheckpointSurgery.EditHeader(Weights(folder), h => h[UpProj]!["dtype"] = "I32");
        var e = LoadFails(folder);
        StringAssert.Contains(e.Message, UpProj);
        StringAssert.Contains(e.Message, "I32");
    }

    [TestMethod]
    public void TruncatedFileNamesFileAndTensor()
    {
        string folder = TestCheckpoints.CopyOf(TestCheckpoints.Tiny);
        using (var file = File.Open(Weights(folder), FileMode.Open))
        {
            file.SetLength(file.Length - 1000);
        }
        var e = LoadFails(folder);
        StringAssert.Contains(e.Message, "model.safetensors");
        StringAssert.Contains(e.Message, "lm_head.weight");
        StringAssert.Contains(e.Message, "truncated");
    }

    [TestMethod]
    [DataRow(long.MaxValue)]
    [DataRow(12L)]
    public void BadHeaderNamesFile(long headerLength)
    {
        string folder = TestCheckpoints.CopyOf(TestCheckpoints.Tiny);
        using (var file = File.Open(Weights(folder), FileMode.Open))
        {
            file.Write(BitConverter.GetBytes(headerLength));
        }
        var e = LoadFails(folder);
        StringAssert.Contains(e.Message, "model.safetensors");
        StringAssert.Contains(e.Message, "bad header");
    }

    [TestMethod]
    public void UnknownModelTypeNamesConfig()
    {
        string folder = TestCheckpoints.CopyOf(TestCheckpoints.Tiny);
        CheckpointSurgery.EditConfig(folder, c => c["model_type"] = "gpt2");
        var e = LoadFails(folder);
        StringAssert.Contains(e.Message, "config.json");
        StringAssert.Contains(e.Message, "gpt2");
    }

    [TestMethod]
    public void MissingShardNamesIndexAndTensor()
    {
        string folder = TestCheckpoints.CopyOf(TestCheckpoints.Tiny with { Shards = 2 });
        File.Delete(Path.Combine(folder, "model-00002-of-00002.safetensors"));
        var e = LoadFails(folder);
        StringAssert.Contains(e.Message, "model-00002-of-00002.safetensors");
    }
}
