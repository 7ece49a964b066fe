using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Dnet.ModelGeneration;

namespace Dnet.EndToEnd.Tests.Remote;

/// <summary>
/// Shards on other hosts: three shards started on their own, each in its own network namespace (own IP, no shared
/// loopback), join a cluster whose AppHost runs no shard and listens on the bridge. A ring across the namespaces says
/// what the one-process engine says; a shard killed mid-stream fails that stream within seconds and the ring is
/// re-planned on the other two; the killed shard, started again, rejoins and is planned with; a restarted planner
/// still knows every remote shard. Without network namespaces (not Linux, not root, no iproute2) the tests fail and say why.
/// </summary>
[TestClass]
public sealed class RemoteShardTests
{
    private const string Prompt = "Write about the sea and the wind.";
    private static RemoteCluster cluster = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context) =>
        cluster = await RemoteCluster.StartAsync(3, Cluster.ModelId, [], context.CancellationToken);

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task AChatOverARingAcrossNamespacesSaysWhatTheOneProcessEngineSays()
    {
        var ring = await EnsureAllThreeAsync();
        using var http = cluster.Client();
        var topology = await http.GetFromJsonAsync<JsonElement>("/v1/cluster/topology", TestContext.CancellationToken);
        var addresses = topology.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("address").GetString()!).ToList();

        var answer = await CompleteAsync(http, Prompt, 24);

        Assert.HasCount(3, ring);
        CollectionAssert.AreEquivalent(cluster.Shards.Select(s => s.Address).ToList(), addresses, "every hop crosses from one namespace to another");
        Assert.AreEqual(InProcessReference.Greedy(ModelResolver.Resolve(Cluster.ModelId), Prompt, 24), answer);
    }

    [TestMethod]
    public async Task AShardKilledMidStreamFailsItsStreamAndTheRingIsReplannedThenItRejoins()
    {
        await EnsureAllThreeAsync();
        using var http = cluster.Client();
        var victim = cluster.Shards[1];

        var (error, failedAfter) = await StreamUntilKilledAsync(http, victim);

        Assert.IsNotNull(error, "the stream ended without an error event");
        Assert.IsLessThan(TimeSpan.FromSeconds(10), failedAfter, "the stream failed too late");
        var served = Stopwatch.StartNew();
        var answer = await CompleteAsync(http, "Are you still there?", 8);
        Assert.IsLessThan(TimeSpan.FromSeconds(30), served.Elapsed, "the first request after the death took too long");
        Assert.IsFalse(string.IsNullOrEmpty(answer));
        var ring = await cluster.WaitForRingAsync(r => r.Count == 2, TimeSpan.FromSeconds(30), TestContext.CancellationToken);
        CollectionAssert.DoesNotContain(ring, victim.Node);

        victim.Start();
        var back = await cluster.WaitForRingAsync(r => r.Contains(victim.Node) && r.Count == 3, TimeSpan.FromMinutes(2), TestContext.CancellationToken);

        Assert.HasCount(3, back);
        Assert.AreEqual(InProcessReference.Greedy(ModelResolver.Resolve(Cluster.ModelId), Prompt, 24), await CompleteAsync(http, Prompt, 24),
            "the ring with the rejoined shard serves like before");
    }

    [TestMethod]
    public async Task ARestartedPlannerStillKnowsEveryRemoteShard()
    {
        await EnsureAllThreeAsync();

        // A crash, not a polite stop: the planner keeps nothing but what is in Redis. The AppHost's crash supervisor
        // starts it again.
        using var within = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        within.CancelAfter(TimeSpan.FromMinutes(3));
        var killed = await Cluster.KillAsync(cluster.App, "planner", within.Token);
        var restarted = await Cluster.WaitForNewProcessAsync(cluster.App, "planner", killed, within.Token);
        Assert.AreNotEqual(killed, restarted, "the planner runs as a new process");

        CollectionAssert.AreEquivalent(cluster.Shards.Select(s => s.Node).ToList(), await cluster.DevicesAsync(TestContext.CancellationToken));
        using var http = cluster.Client();
        using var load = await http.PostAsJsonAsync("/v1/cluster/load", new { model = Cluster.ModelId }, TestContext.CancellationToken);
        var loaded = JsonDocument.Parse(await load.Content.ReadAsStringAsync(TestContext.CancellationToken)).RootElement;
        Assert.IsTrue(load.IsSuccessStatusCode, loaded.ToString());
        Assert.AreEqual(3, loaded.GetProperty("shards").GetArrayLength(), "the new plan uses every remote shard");
    }

    /// <summary>Each test starts from the full ring, whatever the one before left behind.</summary>
    private async Task<List<string>> EnsureAllThreeAsync()
    {
        foreach (var shard in cluster.Shards.Where(s => !s.Running))
        {
            shard.Start();
        }

        return await cluster.WaitForRingAsync(ring => ring.Count == 3, TimeSpan.FromMinutes(2), TestContext.CancellationToken);
    }

    private async Task<(string? Error, TimeSpan FailedAfter)> StreamUntilKilledAsync(HttpClient http, RemoteShard victim)
    {
        using var response = await StreamingRequests.OpenAsync(http, "Go on and on.", 1900, TestContext.CancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.CancellationToken));
        var (chunks, killedAt) = (0, 0L);
        string? error = null;
        while (await reader.ReadLineAsync(TestContext.CancellationToken) is { } line)
        {
            if (line.StartsWith("data: {\"error\"", StringComparison.Ordinal))
            {
                error = line;
            }
            else if (line.StartsWith("data: {", StringComparison.Ordinal) && ++chunks == 5)
            {
                victim.Kill();
                killedAt = Stopwatch.GetTimestamp();
            }
        }

        Assert.IsGreaterThan(0L, killedAt, "the stream ended before the shard was killed");
        return (error, Stopwatch.GetElapsedTime(killedAt));
    }

    private async Task<string> CompleteAsync(HttpClient http, string prompt, int tokens)
    {
        using var response = await http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = Cluster.ModelId,
            messages = new[] { new { role = "user", content = prompt } },
            max_tokens = tokens,
            temperature = 0,
        }, TestContext.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.IsTrue(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }
}
