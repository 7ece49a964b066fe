using Dnet.Inference.Model;
using Dnet.ModelGeneration;
using Dnet.Models;

namespace Dnet.Shard.Tests;

/// <summary>The generated dnet-tiny checkpoint (the same generator the shards use), written once per test run.</summary>
[TestClass]
public static class TinyModel
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), $"dnet-shard-tests-{Environment.ProcessId}");
    private static readonly Lazy<string> Written = new(() =>
    {
        var folder = Path.Combine(Root, "dnet-tiny");
        ModelGenerator.Write(folder, GeneratedModelSpec.DnetTiny);
        return folder;
    });

    public static string Folder => Written.Value;

    public static int Layers => GeneratedModelSpec.DnetTiny.NumLayers;

    public static int VocabSize => GeneratedModelSpec.DnetTiny.VocabSize;

    public static ModelSlice Load(LayerRange layers, ComputeDtype dtype, int? maxContext = null, bool? tiles = null) =>
        ModelSlice.Load(Folder, layers, new ModelSliceOptions { ComputeDtype = dtype, Threads = 2, MaxContextTokens = maxContext, MatrixTiles = tiles });

    /// <summary>A deterministic prompt of <paramref name="length"/> token ids.</summary>
    public static int[] Prompt(int length, int seed) => [.. Enumerable.Range(0, length).Select(i => (i * 131 + seed * 17 + 3) % VocabSize)];

    [AssemblyCleanup]
    public static void DeleteCheckpoint()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
