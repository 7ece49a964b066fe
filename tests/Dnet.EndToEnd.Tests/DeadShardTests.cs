using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using OpenAI;
using OpenAI.Chat;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// A shard that dies or freezes fails the request in flight within seconds, with a clear error, instead of hanging it.
/// The error arrives as the OpenAI-compatible servers send it: a <c>data: {"error": ...}</c> event, then
/// <c>data: [DONE]</c>. Then the cluster heals without a restart: the gateway's health says within seconds that its ring
/// cannot serve, the ring is re-planned on the remaining shard, the next request succeeds and health is Healthy again;
/// the topology says why the ring changed and answers within a second throughout, also while a shard is frozen; a
/// frozen shard that is continued is planned with again. Uses a cluster of its own per case: killing or freezing a
/// shard would break the shared one.
/// </summary>
[TestClass]
public sealed class DeadShardTests
{
    private static readonly TimeSpan FailWithin = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan UnhealthyWithin = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ServingAgainWithin = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan TopologyWithin = TimeSpan.FromSeconds(1);

    private readonly RedisDataDirectory redisData = new();

    public TestContext TestContext { get; set; } = null!;

    /// <summary>Each test's cluster is disposed by then (await using), so its redis-server no longer writes here.</summary>
    [TestCleanup]
    public void RemoveRedisData() => redisData.Dispose();

    [TestMethod]
    public async Task KilledShardEndsTheStreamWithAnErrorEventThenDoneAndTheRingIsReplannedAroundIt()
    {
        // No crash supervisor: the killed shard stays dead, so the ring must be re-planned without it.
        await using var app = await StartAsync("--Dnet:Supervision:Enabled=false");
        using var http = app.CreateHttpClient("gateway", "http");
        http.Timeout = TimeSpan.FromMinutes(2);
        using var response = await StreamingRequests.OpenAsync(http, "Go on and on.", 1900, TestContext.CancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.CancellationToken));

        var chunks = 0;
        var killedAt = 0L;
        var events = new List<string>();
        using var health = new HealthWatch(app.CreateHttpClient("gateway", "http"), "shard-1");
        var topologyMs = new List<double>();
        while (await reader.ReadLineAsync(TestContext.CancellationToken) is { } line)
        {
            Assert.IsFalse(line.StartsWith("event:", StringComparison.Ordinal), "errors are data events, not named events");
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            events.Add(line["data: ".Length..]);
            if (++chunks == 5)
            {
                await SignalAsync(app, "shard-1", "KILL");
                killedAt = Stopwatch.GetTimestamp();
                health.Start();
                topologyMs.Add(await TopologyMsAsync(http));
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(killedAt);
        Assert.IsGreaterThan(0L, killedAt, "the stream ended before the shard was killed");
        Assert.IsLessThan(FailWithin, elapsed, $"the request took {elapsed} to fail");
        Assert.AreEqual("[DONE]", events[^1], "the stream ends with [DONE] after the error");
        var error = JsonDocument.Parse(events[^2]).RootElement.GetProperty("error");
        StringAssert.Contains(error.GetProperty("message").GetString(), "shard");
        Assert.AreEqual("server_error", error.GetProperty("type").GetString());
        Assert.IsFalse(events.Any(e => e.Contains("\"finish_reason\":\"", StringComparison.Ordinal)), "a failed answer has no finish reason");
        await AssertReplannedAroundShard1Async(http, health, topologyMs);
    }

    [TestMethod]
    public async Task FrozenShardFailsTheStreamAndTheOpenAiClientSeesTheErrorThenIsPlannedAroundUntilItIsContinued()
    {
        await using var app = await StartAsync();
        using var http = app.CreateHttpClient("gateway", "http");
        http.Timeout = TimeSpan.FromMinutes(2);
        using var health = new HealthWatch(app.CreateHttpClient("gateway", "http"), "shard-1");
        var topologyMs = new List<double>();
        var client = new ChatClient(Cluster.ModelId, new ApiKeyCredential("unused"),
            new OpenAIClientOptions { Endpoint = new Uri(app.GetEndpoint("gateway", "http"), "/v1") });
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 1900, Temperature = 0 };

        var updates = 0;
        var stoppedAt = 0L;
        string? errorMessage = null;
        ChatFinishReason? finish = null;
        try
        {
            await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Go on and on.")], options, TestContext.CancellationToken))
            {
                finish ??= update.FinishReason;
                // The .NET client yields the error event as an update and keeps its "error" property in the update's JSON.
                errorMessage ??= ErrorOf(update);
                if (++updates == 5)
                {
                    await SignalAsync(app, "shard-1", "STOP");
                    stoppedAt = Stopwatch.GetTimestamp();
                    health.Start();
                    // Topology must not wait for the frozen shard.
                    topologyMs.Add(await TopologyMsAsync(http));
                }
            }

            var elapsed = Stopwatch.GetElapsedTime(stoppedAt);
            Assert.IsGreaterThan(0L, stoppedAt, "the stream ended before the shard was frozen");
            Assert.IsLessThan(FailWithin, elapsed, $"the request took {elapsed} to fail");
            Assert.IsNull(finish, "a failed answer has no finish reason");
            Assert.IsNotNull(errorMessage, "the client saw no error event");
            StringAssert.Contains(errorMessage, "shard");
            await AssertReplannedAroundShard1Async(http, health, topologyMs);

            // A frozen shard that is continued heartbeats again and is planned with again.
            await SignalAsync(app, "shard-1", "CONT");
            var back = await WaitForRingAsync(http, ring => ring.Contains("shard-1"), ServingAgainWithin);
            CollectionAssert.AreEquivalent(new[] { "shard-0", "shard-1" }, back, "the continued shard rejoined the ring");
        }
        finally
        {
            // Let the frozen shard shut down with the cluster, whatever failed above.
            await SignalAsync(app, "shard-1", "CONT");
        }
    }

    /// <summary>
    /// After shard-1 failed: health said within seconds that the ring could not serve, or already served without shard-1; the first request after the failure
    /// (it waits for the re-plan) succeeds within 30 s on shard-0 alone; health is Healthy again; the topology says why
    /// the ring changed and answered within a second every time it was asked.
    /// </summary>
    private async Task AssertReplannedAroundShard1Async(HttpClient http, HealthWatch health, List<double> topologyMs)
    {
        topologyMs.Add(await TopologyMsAsync(http));
        var served = Stopwatch.StartNew();
        using var next = await http.PostAsJsonAsync("/v1/chat/completions",
            new { model = Cluster.ModelId, messages = new[] { new { role = "user", content = "Still there?" } }, max_tokens = 8 }, TestContext.CancellationToken);
        var nextBody = await next.Content.ReadAsStringAsync(TestContext.CancellationToken);
        served.Stop();
        var healthyAgain = await health.WaitForAsync("Healthy", ServingAgainWithin, TestContext.CancellationToken);
        var topology = await http.GetFromJsonAsync<JsonElement>("/v1/cluster/topology", TestContext.CancellationToken);
        topologyMs.Add(await TopologyMsAsync(http));

        Assert.IsNotNull(health.FirstReactionAfter, $"the gateway's health never reflected shard-1's failure; health seen: {health.Seen}");
        Assert.IsLessThan(UnhealthyWithin, health.FirstReactionAfter.Value, health.Seen);
        Assert.IsTrue(next.IsSuccessStatusCode, $"the first request after the failure failed ({(int)next.StatusCode}): {nextBody}");
        Assert.IsLessThan(ServingAgainWithin, served.Elapsed, "the first request after the failure took too long");
        Assert.IsTrue(healthyAgain, $"the gateway was not healthy again after the re-plan: {health.Seen}");
        CollectionAssert.AreEqual(new[] { "shard-0" }, topology.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("node").GetString()).ToArray());
        StringAssert.Contains(topology.GetProperty("changes")[0].GetProperty("reason").GetString(), "shard-1", "the topology says why the ring changed");
        // The gateway waits at most 300 ms for a live answer (RingProbe.AskDeadline), which leaves the rest of the
        // issue's 1 s for the request itself on a busy machine.
        Assert.IsTrue(topologyMs.All(ms => ms < TopologyWithin.TotalMilliseconds), $"topology took {string.Join(", ", topologyMs.Select(ms => $"{ms:F0}"))} ms");
    }

    private async Task<double> TopologyMsAsync(HttpClient http)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync("/v1/cluster/topology", TestContext.CancellationToken);
        return watch.Elapsed.TotalMilliseconds;
    }

    private async Task<List<string>> WaitForRingAsync(HttpClient http, Func<List<string>, bool> done, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var ring = new List<string>();
        while (DateTime.UtcNow < deadline)
        {
            using var response = await http.GetAsync("/v1/cluster/topology", TestContext.CancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.CancellationToken)).RootElement;
                ring = [.. body.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("node").GetString()!)];
                if (done(ring) && body.GetProperty("state").GetString() == "serving")
                {
                    return ring;
                }
            }

            await Task.Delay(200, TestContext.CancellationToken);
        }

        return ring;
    }

    private static string? ErrorOf(StreamingChatCompletionUpdate update)
    {
        var json = JsonDocument.Parse(ModelReaderWriter.Write(update).ToString()).RootElement;
        return json.TryGetProperty("error", out var error) ? error.GetProperty("message").GetString() : null;
    }

    private async Task<DistributedApplication> StartAsync(params string[] settings)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Dnet_AppHost>(
            ["--Dnet:Shards=2", redisData.Argument, .. settings], TestContext.CancellationToken);
        var app = await builder.BuildAsync(TestContext.CancellationToken);
        await app.StartAsync(TestContext.CancellationToken);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", TestContext.CancellationToken);
        return app;
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to the shard's process tree (Aspire's pid is the launcher; the service is its
    /// child). KILL is a crash or a pulled plug; STOP is a shard that hangs with its sockets open, which only timeouts
    /// and keep-alive pings can notice.
    /// </summary>
    private async Task SignalAsync(DistributedApplication app, string resource, string signal)
    {
        var pid = ServiceProcess.LauncherPid(app, resource);
        if (signal == "KILL")
        {
            Process.GetProcessById(pid).Kill(entireProcessTree: true);
            return;
        }

        var id = pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (command, arguments) in new[] { ("pkill", new[] { $"-{signal}", "-P", id }), ("kill", new[] { $"-{signal}", id }) })
        {
            using var process = Process.Start(command, arguments);
            await process.WaitForExitAsync(TestContext.CancellationToken);
        }
    }
}
