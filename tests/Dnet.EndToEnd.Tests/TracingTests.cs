using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// One chat completion is one trace across every process: its frames reach analytics from the gateway and every shard
/// of the ring, and the stats agree with what the client was told.
/// </summary>
[TestClass]
public sealed class TracingTests
{
    private static readonly TimeSpan ArrivesWithin = TimeSpan.FromSeconds(20);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task CompletionIsTracedFromTheGatewayThroughEveryShard()
    {
        var client = await Cluster.ChatClientAsync(TestContext.CancellationToken);
        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Trace this, please.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 10, Temperature = 0 }, TestContext.CancellationToken);
        using var analytics = Cluster.App.CreateHttpClient("analytics", "http");

        var stats = await CompleteStatsAsync(analytics, completion.Id);
        var ring = await RingNodesAsync();

        Assert.AreEqual(completion.Usage.OutputTokenCount, stats.GetProperty("generatedTokens").GetInt64());
        Assert.AreEqual(completion.Usage.InputTokenCount, stats.GetProperty("promptTokens").GetInt64());
        Assert.IsLessThanOrEqualTo(stats.GetProperty("endToEndMs").GetDouble(), stats.GetProperty("ttftMs").GetDouble());
        var nodes = stats.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("node").GetString()).ToHashSet();
        Assert.Contains("gateway", nodes);
        foreach (var shard in ring)
        {
            Assert.Contains(shard, nodes);
            var annotate = await analytics.GetFromJsonAsync<JsonElement>(
                $"/analytics/annotate?request={completion.Id}&node={shard}&format=json", TestContext.CancellationToken);
            var frames = annotate.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList();
            CollectionAssert.Contains(frames, "compute.forward", $"{shard} frames: {string.Join(", ", frames)}");
        }

        var gatewayFrames = (await analytics.GetFromJsonAsync<JsonElement>(
            $"/analytics/annotate?request={completion.Id}&node=gateway&format=json", TestContext.CancellationToken))
            .GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList();
        CollectionAssert.IsSubsetOf(new[] { "request.token", "request.prefill", "network.tx", $"chat {Cluster.ModelId}" }, gatewayFrames);
    }

    [TestMethod]
    public async Task DashboardCommandsShowAnnotateAndLastRequestAsMarkdown()
    {
        var client = await Cluster.ChatClientAsync(TestContext.CancellationToken);
        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Once more.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 4, Temperature = 0 }, TestContext.CancellationToken);
        using var analytics = Cluster.App.CreateHttpClient("analytics", "http");
        await CompleteStatsAsync(analytics, completion.Id);
        var commands = Cluster.App.Services.GetRequiredService<ResourceCommandService>();

        var annotate = await commands.ExecuteCommandAsync("analytics", "perf-annotate", TestContext.CancellationToken);
        var last = await commands.ExecuteCommandAsync("analytics", "perf-stats", TestContext.CancellationToken);

        Assert.IsTrue(annotate.Success, annotate.Message);
        Assert.AreEqual(CommandResultFormat.Markdown, annotate.Data!.Format);
        StringAssert.Contains(annotate.Data.Value, "compute.forward");
        StringAssert.Contains(annotate.Data.Value, "|");
        Assert.IsTrue(last.Success, last.Message);
        StringAssert.Contains(last.Data!.Value, "chatcmpl-");
    }

    private async Task<JsonElement> CompleteStatsAsync(HttpClient analytics, string requestId)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        timeout.CancelAfter(ArrivesWithin);
        while (true)
        {
            using var response = await analytics.GetAsync($"/analytics/requests/{requestId}?format=json", timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                var stats = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
                if (stats.GetProperty("complete").GetBoolean() && stats.GetProperty("emittedTokens").GetInt32() > 0)
                {
                    return stats;
                }
            }

            await Task.Delay(250, timeout.Token);
        }
    }

    private async Task<List<string>> RingNodesAsync()
    {
        using var gateway = Cluster.App.CreateHttpClient("gateway", "http");
        var topology = await gateway.GetFromJsonAsync<JsonElement>("/v1/cluster/topology", TestContext.CancellationToken);
        return topology.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("node").GetString()!).ToList();
    }
}
