using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// A shard that dies or freezes fails the request in flight within seconds, with a clear error, instead of hanging it;
/// the gateway's health says the ring cannot serve within seconds, the ring is re-planned on the remaining shard, and
/// the next request succeeds. Topology answers within a second even while a shard is frozen, and a frozen shard that
/// is continued is planned with again. Uses a cluster of its own per case: killing or freezing a shard would break the
/// shared one for the other tests.
/// </summary>
[TestClass]
public sealed class DeadShardTests
{
    private static readonly TimeSpan FailWithin = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan UnhealthyWithin = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ServingAgainWithin = TimeSpan.FromSeconds(30);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("KILL", DisplayName = "killed shard (SIGKILL)")]
    [DataRow("STOP", DisplayName = "frozen shard (SIGSTOP)")]
    public async Task DeadOrStalledShardFailsTheStreamingRequestWithinTenSeconds(string signal)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Dnet_AppHost>(
            ["--Dnet:Shards=2"], TestContext.CancellationToken);
        await using var app = await builder.BuildAsync(TestContext.CancellationToken);
        await app.StartAsync(TestContext.CancellationToken);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", TestContext.CancellationToken);
        using var http = app.CreateHttpClient("gateway", "http");
        http.Timeout = TimeSpan.FromMinutes(2);
        // Long enough that the shard dies mid-generation. Raw SSE: the error event is what is under test, and not every
        // client library surfaces it.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new
            {
                model = Cluster.ModelId,
                messages = new[] { new { role = "user", content = "Go on and on." } },
                max_tokens = 1900,
                temperature = 0,
                stream = true,
            }),
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.CancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.CancellationToken));

        var chunks = 0;
        var killedAt = 0L;
        string? errorData = null;
        var sawDone = false;
        using var health = new HealthWatch(app.CreateHttpClient("gateway", "http"));
        var topologyMs = new List<double>();
        while (await reader.ReadLineAsync(TestContext.CancellationToken) is { } line)
        {
            if (line.StartsWith("event: error", StringComparison.Ordinal))
            {
                errorData = await reader.ReadLineAsync(TestContext.CancellationToken);
                continue;
            }

            sawDone |= line == "data: [DONE]";
            if (line.StartsWith("data: {", StringComparison.Ordinal) && ++chunks == 5)
            {
                await SignalAsync(app, "shard-1", signal);
                killedAt = Stopwatch.GetTimestamp();
                health.Start();
                topologyMs.Add(await TopologyMsAsync(http));
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(killedAt);
        topologyMs.Add(await TopologyMsAsync(http));

        // The first request after the death: it waits for the re-plan instead of failing on the dead ring.
        var served = Stopwatch.StartNew();
        using var next = await http.PostAsJsonAsync("/v1/chat/completions",
            new { model = Cluster.ModelId, messages = new[] { new { role = "user", content = "Still there?" } }, max_tokens = 8 }, TestContext.CancellationToken);
        var nextBody = await next.Content.ReadAsStringAsync(TestContext.CancellationToken);
        served.Stop();
        var healthyAgain = await health.WaitForAsync("Healthy", ServingAgainWithin, TestContext.CancellationToken);
        var topology = await http.GetFromJsonAsync<JsonElement>("/v1/cluster/topology", TestContext.CancellationToken);
        topologyMs.Add(await TopologyMsAsync(http));

        if (signal == "STOP")
        {
            // A frozen shard that is continued heartbeats again and is planned with again.
            await SignalAsync(app, "shard-1", "CONT");
            var back = await WaitForRingAsync(http, ring => ring.Contains("shard-1"), ServingAgainWithin);
            Assert.AreEqual(2, back.Count, $"the continued shard rejoined the ring: {string.Join(", ", back)}");
        }

        Assert.IsGreaterThan(0L, killedAt, "the stream ended before the shard was killed");
        Assert.IsNotNull(errorData, "the stream ended without an error event");
        Assert.IsFalse(sawDone, "a failed stream must not end with [DONE] as if it had succeeded");
        Assert.IsLessThan(FailWithin, elapsed, $"the request took {elapsed} to fail");
        var error = JsonDocument.Parse(errorData["data: ".Length..]).RootElement.GetProperty("error");
        StringAssert.Contains(error.GetProperty("message").GetString(), "shard");

        Assert.IsNotNull(health.FirstUnhealthyAfter, $"the gateway never said its ring could not serve; health seen: {health.Seen}");
        Assert.IsLessThan(UnhealthyWithin, health.FirstUnhealthyAfter.Value, health.Seen);
        Assert.IsTrue(healthyAgain, $"the gateway was not healthy again after the re-plan: {health.Seen}");
        Assert.IsTrue(next.IsSuccessStatusCode, $"the first request after the death failed ({(int)next.StatusCode}): {nextBody}");
        Assert.IsLessThan(ServingAgainWithin, served.Elapsed, "the first request after the death took too long");
        CollectionAssert.AreEqual(new[] { "shard-0" }, topology.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("node").GetString()).ToArray());
        StringAssert.Contains(topology.GetProperty("changes")[0].GetProperty("reason").GetString(), "shard-1", "the topology says why the ring changed");
        Assert.IsTrue(topologyMs.All(ms => ms < 1000), $"topology took {string.Join(", ", topologyMs.Select(ms => $"{ms:F0}"))} ms");
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

    /// <summary>
    /// Sends <paramref name="signal"/> to the shard's process tree (Aspire's pid is the launcher; the service is its
    /// child). KILL is a crash or a pulled plug; STOP is a shard that hangs with its sockets open, which only timeouts
    /// and keep-alive pings can notice.
    /// </summary>
    private async Task SignalAsync(DistributedApplication app, string resource, string signal)
    {
        var snapshot = app.Services.GetRequiredService<ResourceNotificationService>();
        var state = await snapshot.WaitForResourceAsync(resource, e => e.Snapshot.Properties.Any(p => p.Name == "executable.pid"), TestContext.CancellationToken);
        var pid = Convert.ToInt32(state.Snapshot.Properties.First(p => p.Name == "executable.pid").Value, System.Globalization.CultureInfo.InvariantCulture);
        if (signal == "KILL")
        {
            Process.GetProcessById(pid).Kill(entireProcessTree: true);
            return;
        }

        foreach (var command in new[] { ("pkill", new[] { $"-{signal}", "-P", pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }), ("kill", new[] { $"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }) })
        {
            using var process = Process.Start(command.Item1, command.Item2);
            await process.WaitForExitAsync(TestContext.CancellationToken);
        }
    }
}
