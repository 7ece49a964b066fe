using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Dnet.Perf;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace Dnet.EndToEnd.Tests;

/// <summary>The gateway's dashboard commands drive the real cluster, and the shards sit under one parent resource.</summary>
[TestClass]
public sealed class DashboardCommandsTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task TraceOffAndOnCommandsSwitchEveryNode()
    {
        var commands = Cluster.App.Services.GetRequiredService<ResourceCommandService>();
        using var gateway = Cluster.App.CreateHttpClient("gateway", "http");
        try
        {
            var off = await commands.ExecuteCommandAsync("gateway", "trace-off", TestContext.CancellationToken);
            Assert.IsTrue(off.Success, off.Message);
            Assert.IsFalse(await TracingEnabledAsync(gateway));
        }
        finally
        {
            var on = await commands.ExecuteCommandAsync("gateway", "trace-on", TestContext.CancellationToken);
            Assert.IsTrue(on.Success, on.Message);
        }

        Assert.IsTrue(await TracingEnabledAsync(gateway));
    }

    [TestMethod]
    public async Task UnloadThenLoadCommandsTakeTheModelOffTheRingAndBack()
    {
        var commands = Cluster.App.Services.GetRequiredService<ResourceCommandService>();
        var client = await Cluster.ChatClientAsync(TestContext.CancellationToken);
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 4, Temperature = 0 };
        try
        {
            var unload = await commands.ExecuteCommandAsync("gateway", "unload-model", TestContext.CancellationToken);
            Assert.IsTrue(unload.Success, unload.Message);
            var refused = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(
                () => client.CompleteChatAsync([new UserChatMessage("Hello")], options, TestContext.CancellationToken));
            Assert.IsGreaterThanOrEqualTo(400, refused.Status, "with no model loaded a chat request is refused");
        }
        finally
        {
            var load = await commands.ExecuteCommandAsync("gateway", "load-model", TestContext.CancellationToken);
            Assert.IsTrue(load.Success, load.Message);
        }

        ChatCompletion answer = await client.CompleteChatAsync([new UserChatMessage("Hello")], options, TestContext.CancellationToken);
        Assert.IsGreaterThan(0, answer.Usage.OutputTokenCount, "the configured model serves again after Load model");
    }

    [TestMethod]
    public async Task RingTopologyCommandShowsTheRingTheGatewayServes()
    {
        var commands = Cluster.App.Services.GetRequiredService<ResourceCommandService>();
        using var gateway = Cluster.App.CreateHttpClient("gateway", "http");
        var topology = await gateway.GetFromJsonAsync<JsonElement>("/v1/cluster/topology", TestContext.CancellationToken);

        var shown = await commands.ExecuteCommandAsync("gateway", "ring-topology", TestContext.CancellationToken);

        Assert.IsTrue(shown.Success, shown.Message);
        var markdown = shown.Data!.Value;
        foreach (var shard in topology.GetProperty("shards").EnumerateArray())
        {
            StringAssert.Contains(markdown, $"| {shard.GetProperty("node").GetString()} | [{shard.GetProperty("layer_start").GetInt32()}, {shard.GetProperty("layer_end").GetInt32()}) |");
        }

        var firstChange = topology.GetProperty("changes").EnumerateArray().Last();
        StringAssert.Contains(markdown, MarkdownText.Escape(firstChange.GetProperty("reason").GetString()), "the first ring change and why it happened are shown");
    }

    [TestMethod]
    public void ShardsAreGroupedUnderOneParent()
    {
        var model = Cluster.App.Services.GetRequiredService<DistributedApplicationModel>();
        var group = model.Resources.Single(r => r.Name == "shards");
        var shards = model.Resources.OfType<ProjectResource>().Where(r => r.Name.StartsWith("shard-", StringComparison.Ordinal)).ToList();
        Assert.HasCount(3, shards);
        foreach (var shard in shards)
        {
            var parent = shard.Annotations.OfType<ResourceRelationshipAnnotation>().SingleOrDefault(a => a.Type == "Parent");
            Assert.AreSame(group, parent?.Resource, $"{shard.Name} is under the shards group");
        }
    }

    private async Task<bool> TracingEnabledAsync(HttpClient gateway)
    {
        var status = await gateway.GetFromJsonAsync<JsonElement>("/v1/trace", TestContext.CancellationToken);
        return status.GetProperty("enabled").GetBoolean();
    }
}
