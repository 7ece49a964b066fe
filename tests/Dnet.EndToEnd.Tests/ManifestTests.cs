using System.Diagnostics;
using System.Text.Json.Nodes;
using Dnet.Testing;

namespace Dnet.EndToEnd.Tests;

[TestClass]
public sealed class ManifestTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task CommittedManifestMatchesTheAppHost()
    {
        var root = RepositoryFolder.Root;
        // Written beside the committed file so that the relative project paths inside it are comparable.
        var fresh = Path.Combine(root, "aspire-manifest.verify.json");
        try
        {
            var publish = Process.Start(new ProcessStartInfo("dotnet",
                ["run", "--project", "Dnet.AppHost", "--no-launch-profile", "--no-build", "--",
                 "--publisher", "manifest", "--output-path", fresh])
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var stderr = publish.StandardError.ReadToEndAsync(TestContext.CancellationToken);
            var stdout = publish.StandardOutput.ReadToEndAsync(TestContext.CancellationToken);
            await publish.WaitForExitAsync(TestContext.CancellationToken);
            Assert.AreEqual(0, publish.ExitCode, $"manifest publish failed: {await stdout}{await stderr}");

            var committed = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(root, "aspire-manifest.json"), TestContext.CancellationToken));
            var generated = JsonNode.Parse(await File.ReadAllTextAsync(fresh, TestContext.CancellationToken));

            Assert.IsTrue(JsonNode.DeepEquals(committed, generated),
                "aspire-manifest.json is stale; regenerate it: dotnet run --project Dnet.AppHost --no-launch-profile -- " +
                "--publisher manifest --output-path ../aspire-manifest.json");
        }
        finally
        {
            File.Delete(fresh);
        }
    }

    [TestMethod]
    public async Task ManifestExposesOnlyThePublicApisAndAsksForTheModelSettings()
    {
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryFolder.Root, "aspire-manifest.json"), TestContext.CancellationToken))!;
        var resources = manifest["resources"]!.AsObject();

        foreach (var (name, resource) in resources)
        {
            foreach (var (binding, endpoint) in resource!["bindings"]?.AsObject() ?? [])
            {
                var external = endpoint!["external"]?.GetValue<bool>() ?? false;
                var expected = name is "gateway" or "analytics" && binding == "http";
                Assert.AreEqual(expected, external, $"{name}.{binding} external");
            }
        }

        Assert.AreEqual("dnet-tiny", (string?)resources["model"]!["inputs"]!["value"]!["default"]!["value"]);
        Assert.AreEqual("2", (string?)resources["shard-count"]!["inputs"]!["value"]!["default"]!["value"]);
        Assert.IsNotNull(resources["served-model-name"], "the served model name is a parameter");
        Assert.AreEqual("{model.value}", (string?)resources["gateway"]!["env"]!["Dnet__Model"]);
        Assert.AreEqual(2, resources.Count(r => r.Key.StartsWith("shard-", StringComparison.Ordinal) && r.Key != "shard-count"));
    }
}
