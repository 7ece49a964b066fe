using Dnet.Inference.Model;
using Dnet.ModelGeneration;
using Dnet.Models;

namespace Dnet.Inference.Tests;

[TestClass]
public sealed class GeneratorTests
{
    static string NewFolder() => Path.Combine(Path.GetTempPath(), $"dnet-gen-{Guid.NewGuid():N}");

    [TestMethod]
    public void SameSeedGivesByteIdenticalFiles()
    {
        var spec = TestCheckpoints.Tiny with { Dtype = TensorDtype.BFloat16, Shards = 2 };
        string a = NewFolder(), b = NewFolder(), c = NewFolder();
        try
        {
            ModelGenerator.Write(a, spec);
            ModelGenerator.Write(b, spec);
            ModelGenerator.Write(c, spec with { Seed = spec.Seed + 1 });
            var files = Directory.GetFiles(a).Select(Path.GetFileName).Order().ToList();
            CollectionAssert.AreEqual(files, Directory.GetFiles(b).Select(Path.GetFileName).Order().ToList());
            Assert.IsGreaterThanOrEqualTo(4, files.Count, "config, index and two shards at least");
            foreach (string? file in files)
            {
                CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(a, file!)), File.ReadAllBytes(Path.Combine(b, file!)), file);
            }
            string shard = "model-00001-of-00002.safetensors";
            CollectionAssert.AreNotEqual(File.ReadAllBytes(Path.Combine(a, shard)), File.ReadAllBytes(Path.Combine(c, shard)), "another seed must give other weights");
        }
        finally
        {
            foreach (string folder in new[] { a, b, c }.Where(Directory.Exists))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [TestMethod]
    public void ProgressReachesTheTotal()
    {
        string folder = NewFolder();
        var reports = new List<GenerationProgress>();
        try
        {
            ModelGenerator.Write(folder, TestCheckpoints.Tiny, new SynchronousProgress(reports.Add));
            Assert.AreEqual(reports[^1].TotalBytes, reports[^1].BytesWritten);
            Assert.AreEqual(new FileInfo(Path.Combine(folder, "model.safetensors")).Length - HeaderBytes(folder), reports[^1].TotalBytes);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static long HeaderBytes(string folder)
    {
        using var file = File.OpenRead(Path.Combine(folder, "model.safetensors"));
        var prefix = new byte[8];
        file.ReadExactly(prefix);
        return 8 + BitConverter.ToInt64(prefix);
    }

    [TestMethod]
    public async Task ConcurrentResolversGenerateOnce()
    {
        string cache = NewFolder();
        try
        {
            var folders = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => ModelResolver.Resolve("dnet-tiny", cache))));

            Assert.AreEqual(1, folders.Distinct().Count());
            CollectionAssert.AreEqual(new[] { "dnet-tiny" }, Directory.GetDirectories(cache).Select(Path.GetFileName).ToList(), "no temporary folder is left behind");
            using var slice = ModelSlice.Load(folders[0], LayerRange.All(4));
            Assert.AreEqual("llama", slice.Config.ModelType);
            Assert.AreEqual(folders[0], ModelResolver.Resolve(folders[0]), "a folder path resolves to itself");
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [TestMethod]
    public void CachedFolderFromAnotherGeneratorIsReplacedAndACurrentOneIsReused()
    {
        string cache = NewFolder();
        try
        {
            // What an older generator left: a folder without this generator's stamp (here, missing tokenizer.json too).
            string stale = Path.Combine(cache, "dnet-tiny");
            Directory.CreateDirectory(stale);
            File.WriteAllText(Path.Combine(stale, "config.json"), "{}");

            string folder = ModelResolver.Resolve("dnet-tiny", cache);
            var written = File.GetLastWriteTimeUtc(Path.Combine(folder, "model.safetensors"));
            string again = ModelResolver.Resolve("dnet-tiny", cache);

            Assert.AreEqual(stale, folder);
            Assert.IsTrue(File.Exists(Path.Combine(folder, "tokenizer.json")), "the stale folder was regenerated");
            using (var slice = ModelSlice.Load(folder, LayerRange.All(4)))
            {
                Assert.AreEqual(4, slice.Config.NumHiddenLayers);
            }

            Assert.AreEqual(folder, again);
            Assert.AreEqual(written, File.GetLastWriteTimeUtc(Path.Combine(again, "model.safetensors")), "a current folder is not rewritten");
            CollectionAssert.AreEqual(new[] { "dnet-tiny" }, Directory.GetDirectories(cache).Select(Path.GetFileName).ToList());
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [TestMethod]
    public void GeneratedTokenizerFitsTheModel()
    {
        string folder = TestCheckpoints.Folder(TestCheckpoints.Tiny);
        var tokenizer = Dnet.Generation.Tokenization.TextTokenizer.Load(
            Path.Combine(folder, "tokenizer.json"), Path.Combine(folder, "tokenizer_config.json"));
        var config = ModelConfig.Load(folder);
        Assert.AreEqual(config.VocabSize, tokenizer.VocabSize);
        var ids = tokenizer.Encode("<|im_start|>user\nHello, world!<|im_end|>");
        Assert.IsTrue(ids.All(id => id >= 0 && id < config.VocabSize));
        Assert.IsTrue(File.Exists(Path.Combine(folder, "generation_config.json")));

        using var slice = ModelSlice.Load(folder, LayerRange.All(config.NumHiddenLayers));
        var logits = slice.Forward("chat", SliceInput.FromTokens([.. ids]), 0).Logits!;
        Assert.HasCount(config.VocabSize, logits);
        Assert.IsTrue(logits.All(float.IsFinite));
    }

    [TestMethod]
    public void GeneratedMistralModelChatsWithASentencePieceTokenizer()
    {
        // Resolved by name as the cluster does: a mistral config, a Llama 2 / Mistral layout tokenizer and template.
        string cache = NewFolder();
        try
        {
            string folder = ModelResolver.Resolve("dnet-tiny-mistral", cache);
            var tokenizer = Dnet.Generation.Tokenization.TextTokenizer.Load(Path.Combine(folder, "tokenizer.json"));
            var template = Dnet.Generation.Chat.ChatTemplate.Load(Path.Combine(folder, "tokenizer_config.json"));
            var config = ModelConfig.Load(folder);
            Assert.AreEqual("mistral", config.ModelType);
            Assert.AreEqual(config.VocabSize, tokenizer.VocabSize);
            Assert.AreEqual(Dnet.Generation.Chat.ChatFormat.Mistral, template.Format);
            Assert.AreEqual("<s>", tokenizer.TokenText(tokenizer.BosTokenId!.Value));
            Assert.AreEqual("</s>", tokenizer.TokenText(tokenizer.EosTokenId!.Value));

            int[] prompt = [.. tokenizer.Encode(template.RenderPrompt([new("user", "Hello, café 🙂!")]))];
            Assert.AreEqual(tokenizer.BosTokenId, prompt[0]);
            Assert.AreEqual("[INST] Hello, café 🙂! [/INST]", tokenizer.Decode(prompt, skipSpecialTokens: true));

            // Greedy decode a few steps: every sampled id is a token the detokenizer can stream.
            using var slice = ModelSlice.Load(folder, LayerRange.All(config.NumHiddenLayers), EngineRun.F32);
            var detokenizer = new Dnet.Generation.Streaming.IncrementalDetokenizer(tokenizer, skipSpecialTokens: true);
            var generated = new List<int>();
            float[] logits = EngineRun.Step([slice], "chat", prompt, 0);
            for (int step = 0; step < 8; step++)
            {
                int next = Array.IndexOf(logits, logits.Max());
                generated.Add(next);
                logits = EngineRun.Step([slice], "chat", [next], prompt.Length + step);
            }

            string streamed = string.Concat(generated.Select(detokenizer.Push)) + detokenizer.Flush();
            Assert.AreEqual(tokenizer.Decode(generated, skipSpecialTokens: true), streamed);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [TestMethod]
    public void UnknownModelNameFails()
    {
        var e = Assert.ThrowsExactly<DirectoryNotFoundException>(() => ModelResolver.Resolve("no-such-model", NewFolder()));
        StringAssert.Contains(e.Message, "dnet-bench-135m");
    }

    [TestMethod]
    public void Bench135MHasSmolLM2Shape()
    {
        // The preset is a claim about a real model: hold it to SmolLM2-135M's published parameter count.
        var spec = GeneratedModelSpec.DnetBench135M;
        var config = new ModelConfig
        {
            ModelType = spec.ModelType,
            HiddenSize = spec.HiddenSize,
            IntermediateSize = spec.IntermediateSize,
            NumHiddenLayers = spec.NumLayers,
            NumAttentionHeads = spec.NumHeads,
            NumKeyValueHeads = spec.NumKvHeads,
            HeadDim = spec.ResolvedHeadDim,
            VocabSize = spec.VocabSize,
            TieWordEmbeddings = spec.TieWordEmbeddings,
        };
        var profile = ModelProfile.From(config, ComputeDtype.Float32);
        long parameters = profile.ParametersPerLayer * spec.NumLayers + profile.HeadBytes / 4;
        Assert.AreEqual(134_515_008L, parameters);
    }

    sealed class SynchronousProgress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => report(value);
    }
}
