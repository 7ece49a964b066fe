using Dnet.ModelGeneration;
using Dnet.Models;
using Dnet.Shard.Models;
using Dnet.Shard.Ring;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dnet.Cluster.Tests;

/// <summary>
/// A shard finds models only inside its model cache and model roots, by name or by a path inside them, and describes
/// its copy by digests that change when a file every copy must share changes.
/// </summary>
[TestClass]
public sealed class ModelCopyTests
{
    private static string roots = null!;
    private static string rootA = null!;
    private static string rootB = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static void WriteCopies(TestContext _)
    {
        roots = Directory.CreateTempSubdirectory("dnet-model-roots-").FullName;
        rootA = Directory.CreateDirectory(Path.Combine(roots, "a")).FullName;
        rootB = Directory.CreateDirectory(Path.Combine(roots, "b")).FullName;
        var spec = GeneratedModelSpec.Known.Single(s => s.Name == "dnet-tiny");
        ModelGenerator.Write(Path.Combine(rootA, "tiny-copy"), spec);
        ModelGenerator.Write(Path.Combine(rootB, "tiny-copy"), spec);
        // The same checkpoint with a different tokenizer: what a mismatched copy on another machine looks like.
        File.AppendAllText(Path.Combine(rootB, "tiny-copy", "tokenizer.json"), "\n");
    }

    [ClassCleanup]
    public static void DeleteCopies() => Directory.Delete(roots, recursive: true);

    [TestMethod]
    public void ACheckpointIsFoundByNameOrByAPathInsideTheRoots()
    {
        var locator = Locator(rootA);

        Assert.AreEqual(Path.Combine(rootA, "tiny-copy"), locator.Locate("tiny-copy").Folder);
        Assert.AreEqual(Path.Combine(rootA, "tiny-copy"), locator.Locate(Path.Combine(rootA, "tiny-copy")).Folder);
        Assert.AreEqual(Path.Combine(rootA, "tiny-copy"), locator.Locate("/models/elsewhere/tiny-copy").Folder,
            "a path from another machine resolves by its folder name");
        Assert.AreEqual("generated", locator.Locate("dnet-tiny").Kind);
        Assert.ThrowsExactly<NoModelCopyException>(() => locator.Locate("no-such-model"));
    }

    [TestMethod]
    public void FoldersOutsideTheRootsAreRefused()
    {
        var locator = Locator(rootA);

        var etc = Assert.ThrowsExactly<ModelAccessException>(() => locator.Locate("/etc"));
        StringAssert.Contains(etc.Message, "'/etc' is outside this shard's model roots");
        StringAssert.Contains(etc.Message, rootA);
        Assert.ThrowsExactly<ModelAccessException>(() => locator.Locate("../../etc"));
        Assert.AreEqual(Path.Combine(rootA, "tiny-copy"), locator.Locate(Path.Combine(rootA, "..", "b", "tiny-copy")).Folder,
            "a path that climbs out of the roots is never read: only a copy of that name inside them");
    }

    [TestMethod]
    public void CopiesWithADifferentTokenizerHaveADifferentTokenizerDigestOnly()
    {
        var a = Copies(rootA).Describe("tiny-copy");
        var b = Copies(rootB).Describe("tiny-copy");

        Assert.IsTrue(a.Found && b.Found, $"{a.Error} {b.Error}");
        CollectionAssert.AreEqual(
            new[] { "config.json", "model.safetensors header", "tokenizer.json", "tokenizer_config.json" },
            a.Files.Select(f => f.Name).ToArray());
        var differing = a.Files.Zip(b.Files).Where(pair => pair.First.Sha256 != pair.Second.Sha256).Select(pair => pair.First.Name).ToArray();
        CollectionAssert.AreEqual(new[] { "tokenizer.json" }, differing);
        StringAssert.Contains(a.ConfigJson, "num_hidden_layers");
    }

    [TestMethod]
    public async Task PeersMayReadOnlyTheTokenizerAndConfigFiles()
    {
        var copies = Copies(rootA);

        var tokenizer = await copies.ReadAsync("tiny-copy", "tokenizer.json", TestContext.CancellationToken);
        Assert.IsTrue(tokenizer.Found);
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(rootA, "tiny-copy", "tokenizer.json")), tokenizer.Data.ToByteArray());
        await Assert.ThrowsExactlyAsync<ModelAccessException>(() => copies.ReadAsync("tiny-copy", "model.safetensors", TestContext.CancellationToken));
        await Assert.ThrowsExactlyAsync<ModelAccessException>(() => copies.ReadAsync("tiny-copy", "../../../etc/passwd", TestContext.CancellationToken));
        await Assert.ThrowsExactlyAsync<ModelAccessException>(() => copies.ReadAsync("/etc", "config.json", TestContext.CancellationToken));
    }

    private static ModelLocator Locator(string root) =>
        new(new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create(ModelLocator.RootsKey, (string?)root)]).Build());

    private static ModelCopies Copies(string root) =>
        new(Locator(root), new ShardIdentity(new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create("Dnet:Node", (string?)"shard-t")]).Build()),
            NullLogger<ModelCopies>.Instance);
}
