using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dnet.Contracts.Tracing;
using Dnet.ServiceDefaults.Tracing;
using Dnet.Testing;

namespace Dnet.Tracing.Tests;

[TestClass]
public sealed class TraceControlTests
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(1);

    [TestMethod]
    public async Task SwitchingOffOnOneNodeStopsFramesOnAnotherWithinASecond()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var gateway = await TestNode.StartAsync("gateway", redis);
        await using var shard = await TestNode.StartAsync("shard-0", redis);
        using (var before = DnetFrames.Start(FrameNames.ComputeForward))
        {
            Assert.IsNotNull(before, "tracing is on by default");
        }

        var posted = await PostAsync(gateway, """{"enabled": false}""");
        var clock = Stopwatch.StartNew();
        Assert.AreEqual(HttpStatusCode.OK, posted.StatusCode);
        var answer = await posted.Content.ReadFromJsonAsync(TracingJsonContext.Default.TraceStatus);
        Assert.IsFalse(answer!.Enabled);
        Assert.IsGreaterThan(0L, answer.Revision);

        var shardStatus = await shard.WaitForStatusAsync(s => !s.Enabled, Propagation);
        Assert.IsFalse(shardStatus.Enabled, "the change reached the other node");
        Assert.AreEqual(answer.Revision, shardStatus.Revision);
        // Both nodes listen to the process-wide source: a frame opens if either samples it, so null means both said no.
        Assert.IsNull(DnetFrames.Start(FrameNames.ComputeForward));
        Assert.IsLessThan(1000L, clock.ElapsedMilliseconds);
    }

    [TestMethod]
    public async Task IncludePrefixesFilterFramesOnEveryNodeAndNewNodesReadTheStoredState()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var gateway = await TestNode.StartAsync("gateway", redis);
        await using var shard = await TestNode.StartAsync("shard-0", redis);

        var posted = await PostAsync(gateway, """{"enabled": true, "include_prefixes": ["compute.", "network.rx"]}""");
        Assert.AreEqual(HttpStatusCode.OK, posted.StatusCode);
        var shardStatus = await shard.WaitForStatusAsync(s => s.IncludePrefixes.Count == 2, Propagation);
        CollectionAssert.AreEqual(new[] { "compute.", "network.rx" }, shardStatus.IncludePrefixes.ToArray());

        using (var included = DnetFrames.Start(FrameNames.ComputeForward))
        {
            Assert.IsNotNull(included);
        }

        Assert.IsNull(DnetFrames.Start(FrameNames.NetworkTx));
        Assert.IsNull(DnetFrames.Start(FrameNames.MemoryKvAlloc));

        await using var late = await TestNode.StartAsync("shard-1", redis);
        var lateStatus = await late.WaitForStatusAsync(s => s.Revision == shardStatus.Revision, Propagation);
        Assert.AreEqual(shardStatus.Revision, lateStatus.Revision, "a node started later reads the stored state");
        CollectionAssert.AreEqual(new[] { "compute.", "network.rx" }, lateStatus.IncludePrefixes.ToArray());
    }

    [TestMethod]
    [DataRow("not json", null)]
    [DataRow("[true]", null)]
    [DataRow("""{"include_prefixes": ["compute."]}""", "enabled")]
    [DataRow("""{"enabled": "yes"}""", "enabled")]
    [DataRow("""{"enabled": true, "include_prefixes": "compute."}""", "include_prefixes")]
    [DataRow("""{"enabled": true, "include_prefixes": [1]}""", "include_prefixes")]
    [DataRow("""{"enabled": true, "include_prefixes": [""]}""", "include_prefixes")]
    [DataRow("""{"enabled": true, "include_prefix": ["compute."]}""", "include_prefix")]
    public async Task BadBodyIsAnOpenAiStyleError(string body, string? param)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var gateway = await TestNode.StartAsync("gateway", redis);

        var response = await PostAsync(gateway, body);

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var detail = error.RootElement.GetProperty("error");
        Assert.AreEqual("invalid_request_error", detail.GetProperty("type").GetString());
        Assert.IsFalse(string.IsNullOrWhiteSpace(detail.GetProperty("message").GetString()));
        Assert.AreEqual(param, detail.GetProperty("param").GetString());
        Assert.AreEqual(JsonValueKind.Null, detail.GetProperty("code").ValueKind);
        Assert.IsTrue((await gateway.StatusAsync()).Enabled, "a rejected body changes nothing");
    }

    [TestMethod]
    public async Task ARedisOutageRejectsTheChangeAndChangesNothing()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var gateway = await TestNode.StartAsync("gateway", redis);
        await redis.KillAsync();

        var response = await PostAsync(gateway, """{"enabled": false}""");

        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.AreEqual("server_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.IsTrue((await gateway.StatusAsync()).Enabled);
    }

    [TestMethod]
    public async Task WithoutRedisTheControlAppliesToThisNode()
    {
        await using var node = await TestNode.StartAsync("solo", redis: null);

        var response = await PostAsync(node, """{"enabled": false}""");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        var status = await node.StatusAsync();
        Assert.IsFalse(status.Enabled);
        Assert.AreEqual("none", status.Exporter.Sink);
        Assert.IsNull(DnetFrames.Start(FrameNames.ComputeForward));
    }

    [TestMethod]
    public async Task AnExcludedFrameCostsNoAllocation()
    {
        await using var node = await TestNode.StartAsync("solo", redis: null);
        await PostAsync(node, """{"enabled": true, "include_prefixes": ["compute."]}""");

        Assert.IsNull(DnetFrames.Start(FrameNames.NetworkTx));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            DnetFrames.Start(FrameNames.NetworkTx)?.Dispose();
        }

        Assert.AreEqual(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [TestMethod]
    public async Task FramesStartedOnTheSourceDirectlyAreSampledOutButOtherSpansAreNot()
    {
        await using var node = await TestNode.StartAsync("solo", redis: null);
        await PostAsync(node, """{"enabled": false}""");

        using (var frame = DnetFrames.Source.StartActivity(FrameNames.ComputeForward))
        {
            Assert.IsFalse(frame?.Recorded ?? false, "an excluded frame is at most propagation-only, never exported");
        }

        using var other = DnetFrames.Source.StartActivity("GET /v1/models");
        Assert.IsTrue(other?.Recorded ?? false, "names outside the catalogue are not trace-controlled");
    }

    private static Task<HttpResponseMessage> PostAsync(TestNode node, string body) =>
        node.Client.PostAsync("/v1/trace", new StringContent(body, Encoding.UTF8, "application/json"));
}
