using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
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
