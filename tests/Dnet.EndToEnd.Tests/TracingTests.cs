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

        var ring = await RingNodesAsync();
        // Each process flushes its own batches: the root can arrive before the last shard's spans.
        var stats = await CompleteStatsAsync(analytics, completion.Id, ["gateway", .. ring]);

        Assert.AreEqual(completion.Usage.OutputTokenCount, stats.GetProperty("generated_tokens").GetInt64());
        Assert.AreEqual(completion.Usage.InputTokenCount, stats.GetProperty("prompt_tokens").GetInt64());
        Assert.IsLessThanOrEqualTo(stats.GetProperty("end_to_end_ms").GetDouble(), stats.GetProperty("ttft_ms").GetDouble());
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
    public async Task DashboardTelemetryHasTheRequestTraceWithSpansFromEveryShard()
    {
        var client = await Cluster.ChatClientAsync(TestContext.CancellationToken);
        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Show me in the dashboard.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 4, Temperature = 0 }, TestContext.CancellationToken);
        var ring = await RingNodesAsync();
        using var dashboard = DashboardTrace.Client();
        using var analytics = Cluster.App.CreateHttpClient("analytics", "http");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        timeout.CancelAfter(ArrivesWithin);
        HashSet<string> services;
        do
        {
            await Task.Delay(500, timeout.Token);
            services = (await DashboardTrace.OfRequestAsync(dashboard, analytics, completion.Id, timeout.Token)).Select(s => s.Service).ToHashSet();
        }
        while (!ring.All(services.Contains) || !services.Contains("gateway"));

        CollectionAssert.IsSubsetOf(ring, services.ToList());
    }

    [TestMethod]
    public async Task AnalyticsRestartedMidStreamLosesNoSpan()
    {
        var client = await Cluster.ChatClientAsync(TestContext.CancellationToken);
        var commands = Cluster.App.Services.GetRequiredService<ResourceCommandService>();
        ChatCompletion before = await client.CompleteChatAsync([new UserChatMessage("Before the restart.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 6, Temperature = 0 }, TestContext.CancellationToken);

        var tokens = 0;
        ChatTokenUsage? usage = null;
        string? id = null;
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 300, Temperature = 0 };
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("During the restart.")], options, TestContext.CancellationToken))
        {
            id ??= update.CompletionId;
            usage ??= update.Usage;
            if (++tokens == 3)
            {
                var restart = await commands.ExecuteCommandAsync("analytics", KnownResourceCommands.RestartCommand, TestContext.CancellationToken);
                Assert.IsTrue(restart.Success, restart.Message);
            }
        }

        await Cluster.App.ResourceNotifications.WaitForResourceHealthyAsync("analytics", TestContext.CancellationToken);
        using var analytics = Cluster.App.CreateHttpClient("analytics", "http");
        var during = await CompleteStatsAsync(analytics, id!);
        var earlier = await CompleteStatsAsync(analytics, before.Id);

        Assert.AreEqual(usage!.OutputTokenCount, during.GetProperty("emitted_tokens").GetInt32(), "every token of the request during the restart");
        Assert.AreEqual(before.Usage.OutputTokenCount, earlier.GetProperty("emitted_tokens").GetInt32(), "the request before the restart");
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

    private async Task<JsonElement> CompleteStatsAsync(HttpClient analytics, string requestId, IReadOnlyList<string>? nodes = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        timeout.CancelAfter(ArrivesWithin);
        while (true)
        {
            using var response = await analytics.GetAsync($"/analytics/requests/{requestId}?format=json", timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                var stats = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
                var seen = stats.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("node").GetString()).ToHashSet();
                if (stats.GetProperty("complete").GetBoolean() && stats.GetProperty("emitted_tokens").GetInt32() > 0
                    && (nodes ?? []).All(seen.Contains))
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
