using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// The numbers analytics and the gateway's metrics show, checked against independent sources: the dashboard's copy of
/// the trace (OTLP, not the Redis stream) and the client's own clock and usage.
/// </summary>
[TestClass]
public sealed class PerfCountersTests
{
    private const string LargeModel = "dnet-bench-135m";
    private static readonly TimeSpan ArrivesWithin = TimeSpan.FromSeconds(60);

    public TestContext TestContext { get; set; } = null!;

    /// <summary>
    /// A shard's compute time is its forward frames' time (every frame inside a forward is compute: loading the
    /// activations, the layers, sampling or storing), and the layers are most of it. Checked against the forward frames
    /// the dashboard holds, not against the layers alone: on a shard with few layers, early in a run, sampling took a
    /// sixth of a forward and a 5% bound on the layers alone failed although every number was right.
    /// </summary>
    [TestMethod]
    public async Task PerNodeComputeIsTheShardsForwardTimeInTheDashboardTrace()
    {
        using var gateway = Cluster.App.CreateHttpClient("gateway", "http");
        await LoadAsync(gateway, LargeModel);
        try
        {
            var client = (await Cluster.OpenAiClientAsync(TestContext.CancellationToken)).GetChatClient(LargeModel);
            ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Where does the time go?")],
                new ChatCompletionOptions { MaxOutputTokenCount = 32, Temperature = 0 }, TestContext.CancellationToken);
            var ring = await RingNodesAsync(gateway);
            using var analytics = Cluster.App.CreateHttpClient("analytics", "http");
            await CompleteStatsAsync(analytics, completion.Id, ring);
            using var dashboard = DashboardTrace.Client();
            var trace = await DashboardTraceAsync(dashboard, analytics, completion.Id, ring);
            // "Complete" means the gateway's root arrived; a shard's last batch of spans can land after it. Read the
            // stats again now that analytics holds the same forward frames as the dashboard.
            var stats = await CompleteStatsAsync(analytics, completion.Id, ring);

            foreach (var shard in ring)
            {
                var node = stats.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("node").GetString() == shard);
                var compute = node.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("group").GetString() == "compute")
                    .GetProperty("self_ms").GetDouble();
                var forward = trace.Where(s => s.Service == shard && s.Name == "compute.forward").Sum(s => s.DurationMs);
                var execute = trace.Where(s => s.Service == shard && s.Name == "compute.execute").Sum(s => s.DurationMs);
                Assert.AreEqual(forward, compute, Math.Max(0.01 * forward, 0.05), $"{shard}: compute {compute:F3} ms, dashboard compute.forward {forward:F3} ms");
                Assert.IsTrue(execute > 0.5 * compute && execute <= compute + 0.05, $"{shard}: the layers ({execute:F3} ms) are most of compute ({compute:F3} ms)");

                var sent = trace.Where(s => s.Service == shard && s.Name is "network.tx" or "network.token.send").Sum(s => s.Long("dnet.bytes") ?? 0);
                var received = trace.Where(s => s.Service == shard && s.Name == "network.rx").Sum(s => s.Long("dnet.bytes") ?? 0);
                Assert.AreEqual(sent, node.GetProperty("bytes_sent").GetInt64(), shard);
                Assert.AreEqual(received, node.GetProperty("bytes_received").GetInt64(), shard);

                var annotate = await analytics.GetFromJsonAsync<JsonElement>($"/analytics/annotate?last=1&node={shard}&format=json", TestContext.CancellationToken);
                var frames = annotate.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList();
                CollectionAssert.Contains(frames, "compute.execute", $"{shard}: {string.Join(", ", frames)}");
            }
        }
        finally
        {
            await LoadAsync(gateway, Cluster.ModelId);
        }
    }

    [TestMethod]
    public async Task StatsLinkToTheRequestsTraceInTheDashboardAndTheDashboardCommandShowsIt()
    {
        var client = await Cluster.ChatClientAsync(TestContext.CancellationToken);
        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Link me.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 4, Temperature = 0 }, TestContext.CancellationToken);
        using var gateway = Cluster.App.CreateHttpClient("gateway", "http");
        using var analytics = Cluster.App.CreateHttpClient("analytics", "http");
        var ring = await RingNodesAsync(gateway);
        var stats = await CompleteStatsAsync(analytics, completion.Id, ring);
        using var dashboard = DashboardTrace.Client();
        var trace = await DashboardTraceAsync(dashboard, analytics, completion.Id, ring);

        var traceId = stats.GetProperty("trace_id").GetString()!;
        Assert.AreEqual(trace[0].TraceId, traceId, "the stats name the trace the dashboard has for the request");
        var url = new Uri(stats.GetProperty("trace_url").GetString()!);
        Assert.AreEqual(Cluster.DashboardUrl.Port, url.Port);
        StringAssert.EndsWith(url.AbsolutePath, $"/traces/detail/{traceId}");
        using (var page = await dashboard.GetAsync(url.PathAndQuery, TestContext.CancellationToken))
        {
            Assert.IsTrue(page.IsSuccessStatusCode, $"{url} answered {(int)page.StatusCode}");
        }

        var commands = Cluster.App.Services.GetRequiredService<ResourceCommandService>();
        var last = await commands.ExecuteCommandAsync("analytics", "perf-stats", TestContext.CancellationToken);
        Assert.IsTrue(last.Success, last.Message);
        StringAssert.Contains(last.Data!.Value, url.ToString());
    }

    [TestMethod]
    public async Task GatewayRecordsGenAiMetricsInSecondsWithTracingOff()
    {
        using var gateway = Cluster.App.CreateHttpClient("gateway", "http");
        await SetTracingAsync(gateway, enabled: false);
        try
        {
            var client = await Cluster.ChatClientAsync(TestContext.CancellationToken);
            var model = $"gen_ai_request_model=\"{Cluster.ModelId}\"";
            var before = await PrometheusScrape.ReadAsync(gateway, TestContext.CancellationToken);

            var clock = Stopwatch.StartNew();
            double? firstText = null;
            ChatTokenUsage? usage = null;
            await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Count my tokens.")],
                new ChatCompletionOptions { MaxOutputTokenCount = 12, Temperature = 0 }, TestContext.CancellationToken))
            {
                if (firstText is null && update.ContentUpdate.Any(part => part.Text.Length > 0))
                {
                    firstText = clock.Elapsed.TotalSeconds;
                }

                usage ??= update.Usage;
            }

            var elapsed = clock.Elapsed.TotalSeconds;
            var after = await PrometheusScrape.ReadAsync(gateway, TestContext.CancellationToken);
            double Delta(string metric, params string[] labels) => after.Sum(metric, [model, .. labels]) - before.Sum(metric, [model, .. labels]);

            Assert.AreEqual(1.0, Delta("gen_ai_server_request_duration_seconds_count", "gen_ai_operation_name=\"chat\"", "gen_ai_response_finish_reasons="));
            Assert.IsLessThanOrEqualTo(elapsed, Delta("gen_ai_server_request_duration_seconds_sum"), "the server's duration fits in the client's");
            Assert.AreEqual(1.0, Delta("gen_ai_server_time_to_first_token_seconds_count"));
            var ttft = Delta("gen_ai_server_time_to_first_token_seconds_sum");
            Assert.IsGreaterThan(0, ttft);
            if (firstText is { } clientTtft)
            {
                Assert.IsLessThanOrEqualTo(clientTtft, ttft, "the server wrote the first token before the client read it");
            }

            Assert.IsNotNull(usage);
            Assert.AreEqual((double)usage.InputTokenCount, Delta("gen_ai_server_token_usage_sum", "gen_ai_token_type=\"input\""));
            Assert.AreEqual((double)usage.OutputTokenCount, Delta("gen_ai_server_token_usage_sum", "gen_ai_token_type=\"output\""));
            Assert.AreEqual(usage.OutputTokenCount > 1 ? 1.0 : 0.0, Delta("gen_ai_server_time_per_output_token_seconds_count"));
        }
        finally
        {
            await SetTracingAsync(gateway, enabled: true);
        }
    }

    private async Task LoadAsync(HttpClient gateway, string model)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        // The first load of the larger model generates it (about a minute on a busy 2-core machine).
        timeout.CancelAfter(TimeSpan.FromMinutes(10));
        using var response = await gateway.PostAsJsonAsync("/v1/cluster/load", new { model }, timeout.Token);
        Assert.IsTrue(response.IsSuccessStatusCode, $"loading {model}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(timeout.Token)}");
    }

    private async Task SetTracingAsync(HttpClient gateway, bool enabled)
    {
        using var response = await gateway.PostAsJsonAsync("/v1/trace", new { enabled }, TestContext.CancellationToken);
        Assert.IsTrue(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        // Every node applies the change from Redis within about a second.
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.CancellationToken);
    }

    private async Task<List<string>> RingNodesAsync(HttpClient gateway)
    {
        var topology = await gateway.GetFromJsonAsync<JsonElement>("/v1/cluster/topology", TestContext.CancellationToken);
        return topology.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("node").GetString()!).ToList();
    }

    private async Task<JsonElement> CompleteStatsAsync(HttpClient analytics, string requestId, IReadOnlyList<string> ring)
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
                if (stats.GetProperty("complete").GetBoolean() && ring.All(seen.Contains) && stats.GetProperty("unattributed_spans").GetInt64() == 0)
                {
                    return stats;
                }
            }

            await Task.Delay(250, timeout.Token);
        }
    }

    /// <summary>
    /// The request's trace once the dashboard and analytics hold the same number of compute.forward and compute.execute
    /// spans of every shard (both counts read again on every poll: spans reach the two by different paths).
    /// </summary>
    private async Task<List<DashboardSpan>> DashboardTraceAsync(HttpClient dashboard, HttpClient analytics, string requestId, IReadOnlyList<string> ring)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        timeout.CancelAfter(ArrivesWithin);
        string[] counted = ["compute.forward", "compute.execute"];
        while (true)
        {
            var trace = await DashboardTrace.OfRequestAsync(dashboard, analytics, requestId, timeout.Token);
            bool same = true;
            foreach (var shard in ring)
            {
                var annotate = await analytics.GetFromJsonAsync<JsonElement>($"/analytics/annotate?request={requestId}&node={shard}&format=json", timeout.Token);
                foreach (var name in counted)
                {
                    long stored = annotate.GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("name").GetString() == name)
                        .Sum(r => r.GetProperty("samples").GetInt64());
                    same &= stored > 0 && trace.Count(s => s.Service == shard && s.Name == name) == stored;
                }
            }

            if (same)
            {
                return trace;
            }

            await Task.Delay(500, timeout.Token);
        }
    }
}
