using System.Collections.Concurrent;
using Dnet.ModelGeneration;
using Dnet.Models;

namespace Dnet.Inference.Tests;

/// <summary>Generated checkpoints shared by the tests of one run, each written once into a temporary folder.</summary>
static class TestCheckpoints
{
    static readonly string Root = Path.Combine(Path.GetTempPath(), $"dnet-inference-tests-{Environment.ProcessId}");
    static readonly ConcurrentDictionary<GeneratedModelSpec, Lazy<string>> Folders = new();

    public static GeneratedModelSpec Tiny => GeneratedModelSpec.DnetTiny;

    /// <summary>qwen2 shape: q/k/v biases.</summary>
    public static GeneratedModelSpec Qwen2 { get; } = Tiny with { Name = "tiny-qwen2", ModelType = "qwen2", TieWordEmbeddings = true };

    /// <summary>qwen3 shape: per-head q/k RMSNorm and an explicit head_dim unequal to hidden/heads.</summary>
    public static GeneratedModelSpec Qwen3 { get; } = Tiny with { Name = "tiny-qwen3", ModelType = "qwen3", HeadDim = 24 };

    /// <summary>Llama 3.1-style rope scaling with a short original context so that it changes most frequencies.</summary>
    public static GeneratedModelSpec Llama3Rope { get; } = Tiny with
    {
        Name = "tiny-llama3-rope",
        RopeTheta = 500000,
        RopeScaling = new RopeScaling("llama3", 8, 1, 4, 32),
    };

    public static string Folder(GeneratedModelSpec spec) =>
        Folders.GetOrAdd(spec, s => new Lazy<string>(() =>
        {
            string folder = Path.Combine(Root, $"{s.Name}-{s.Dtype}-{s.Shards}-{s.TieWordEmbeddings}-{s.Seed}-{Guid.NewGuid():N}");
            ModelGenerator.Write(folder, s);
            return folder;
        })).Value;

    /// <summary>A private copy of a checkpoint that a test may damage.</summary>
    public static string CopyOf(GeneratedModelSpec spec)
    {
        string source = Folder(spec);
        string copy = Path.Combine(Root, "copies", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }
        return copy;
    }

    public static void DeleteAll()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}

[TestClass]
public static class TestRun
{
    /// <summary>
    /// One torch thread: the machines running this suite are shared, and with two OpenMP threads every small op
    /// waits for both to be scheduled, which turns seconds into minutes under load. Results do not depend on it.
    /// </summary>
    [AssemblyInitialize]
    public static void UseOneTorchThread(TestContext context)
    {
        _ = context;
        TorchSharp.torch.set_num_threads(1);
    }

    [AssemblyCleanup]
    public static void DeleteCheckpoints() => TestCheckpoints.DeleteAll();
}
