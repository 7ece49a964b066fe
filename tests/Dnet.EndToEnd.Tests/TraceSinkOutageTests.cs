using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// Redis is only the span sink: losing it costs no completion and, once it is back on its data directory, no span.
/// A cluster of its own: Redis bound beyond loopback (so it requires its password) and no supervisor (the test keeps
/// Redis down on purpose, and starts it again itself).
/// </summary>
[TestClass]
public sealed class TraceSinkOutageTests
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan SaysSoWithin = TimeSpan.FromSeconds(10);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task RedisKilledForTwentySecondsAndTwiceMoreLosesNoSpanOfAnyRequest()
    {
        var cancel = TestContext.CancellationToken;
        using var redisData = new RedisDataDirectory();
        var password = Guid.NewGuid().ToString("n");
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Dnet_AppHost>(
        [
            "--Dnet:Shards=2",
            redisData.Argument,
            "--Dnet:Redis:BindAddress=0.0.0.0",
            $"--Parameters:redis-password={password}",
            "--Dnet:Supervision:Enabled=false",
        ], cancel);
        await using var app = await builder.BuildAsync(cancel);
        await app.StartAsync(cancel);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", cancel);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("analytics", cancel);

        var redisPort = app.GetEndpoint("redis", "tcp").Port;
        StringAssert.StartsWith(await AnonymousPingAsync(redisPort), "-NOAUTH", "bound beyond loopback, Redis requires the password");
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redisPort},password={password},abortConnect=false,allowAdmin=true");
        var server = redis.GetServers().Single();
        Assert.AreEqual("0.0.0.0", (await server.ConfigGetAsync("bind")).Single().Value);
        Assert.AreEqual(redisData.Path, (await server.ConfigGetAsync("dir")).Single().Value);
        Assert.AreEqual("yes", (await server.ConfigGetAsync("appendonly")).Single().Value);
        Assert.AreEqual("everysec", (await server.ConfigGetAsync("appendfsync")).Single().Value);

        using var gateway = new HttpClient { BaseAddress = app.GetEndpoint("gateway", "http") };
        using var analytics = new HttpClient { BaseAddress = app.GetEndpoint("analytics", "http") };
        await using var load = RequestLoop.Start(gateway, cancel);
        await load.WaitForAsync(3, cancel);

        var lengthBefore = await redis.GetDatabase().StreamLengthAsync("dnet:spans");
        await Cluster.KillAsync(app, "redis", cancel);
        var down = Stopwatch.StartNew();
        var firstInOutage = load.Completed.Count;

        // Whoever depends on Redis says so within seconds: the gateway serves, Degraded; analytics cannot read, Unhealthy.
        var gatewayHealth = await PollAsync(gateway, "/health", h => Check(h, "trace-sink") == "Degraded", cancel);
        StringAssert.Contains(gatewayHealth.GetProperty("checks").GetProperty("trace-sink").GetProperty("description").GetString(), "trace sink");
        Assert.IsLessThan(SaysSoWithin, down.Elapsed, "the gateway's /health says Degraded within seconds");
        await PollAsync(analytics, "/health", h => h.GetProperty("status").GetString() == "Unhealthy", cancel);
        Assert.IsLessThan(SaysSoWithin, down.Elapsed, "analytics' /health says Unhealthy within seconds");

        await Task.Delay(Outage > down.Elapsed ? Outage - down.Elapsed : TimeSpan.Zero, cancel);
        var inOutage = load.Completed.Skip(firstInOutage).ToList();
        await StartRedisAsync(app, cancel);
        Assert.IsGreaterThanOrEqualTo(lengthBefore, await redis.GetDatabase().StreamLengthAsync("dnet:spans"),
            "restarted on its data directory, Redis still has the stream");

        // Twice more in a row, with analytics reading: nothing is stored twice.
        for (var crash = 0; crash < 2; crash++)
        {
            await load.WaitForAsync(load.Completed.Count + 2, cancel);
            await Cluster.KillAsync(app, "redis", cancel);
            await StartRedisAsync(app, cancel);
        }

        await load.WaitForAsync(load.Completed.Count + 3, cancel);
        await load.StopAsync();
        Assert.IsNotEmpty(inOutage, "requests were served while Redis was down");

        // Everything every node exported arrives: nothing buffered, nothing in flight, nothing dropped.
        var status = await PollAsync(analytics, "/analytics/status", Settled, cancel, TimeSpan.FromSeconds(60));
        var nodes = status.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("node").GetString()!);
        CollectionAssert.IsSubsetOf(new[] { "gateway", "shard-0", "shard-1" }, nodes.Keys.ToList());
        foreach (var (name, node) in nodes)
        {
            Assert.AreEqual(0L, node.GetProperty("dropped_spans").GetInt64(), $"{name} dropped spans");
            Assert.AreEqual(node.GetProperty("exported_spans").GetInt64(), node.GetProperty("stored_spans").GetInt64(), $"{name}: every exported span is stored");
            Assert.AreEqual(0L, node.GetProperty("missing_batches").GetInt64(), $"{name} missing batches");
        }

        var total = status.GetProperty("spans");
        Assert.AreEqual(total.GetProperty("exported_spans").GetInt64(), status.GetProperty("store").GetProperty("stored").GetInt64(),
            "the store holds every exported span once");
        var own = (await gateway.GetFromJsonAsync<JsonElement>("/v1/trace", cancel)).GetProperty("exporter");
        Assert.AreEqual(own.GetProperty("exported_spans").GetInt64(), nodes["gateway"].GetProperty("exported_spans").GetInt64(),
            $"analytics' count is the gateway's own; the gateway's exporter: {own}; analytics: {nodes["gateway"]}");

        foreach (var (id, tokens) in load.Completed)
        {
            var stats = await analytics.GetFromJsonAsync<JsonElement>($"/analytics/requests/{id}?format=json", cancel);
            Assert.IsTrue(stats.GetProperty("complete").GetBoolean(), $"{id} has complete stats");
            Assert.AreEqual(tokens, stats.GetProperty("emitted_tokens").GetInt32(), $"{id} tokens");
        }
    }

    /// <summary>Analytics reads again, has read the whole stream, and no node holds or has in flight a span.</summary>
    private static bool Settled(JsonElement status) =>
        status.GetProperty("consumer").GetProperty("state").GetProperty("connected").GetBoolean()
        && status.GetProperty("stream") is { ValueKind: JsonValueKind.Object } stream
        && stream.GetProperty("lag").ValueKind == JsonValueKind.Number && stream.GetProperty("lag").GetInt64() == 0
        && stream.GetProperty("pending").GetInt64() == 0
        && status.GetProperty("nodes").GetArrayLength() >= 3
        && status.GetProperty("nodes").EnumerateArray().All(n =>
            n.GetProperty("buffered_spans").ValueKind == JsonValueKind.Number && n.GetProperty("buffered_spans").GetInt64() == 0
            && n.GetProperty("in_flight_spans").ValueKind == JsonValueKind.Number && n.GetProperty("in_flight_spans").GetInt64() == 0);

    private static string? Check(JsonElement health, string check) =>
        health.GetProperty("checks").TryGetProperty(check, out var entry) ? entry.GetProperty("status").GetString() : null;

    private static async Task StartRedisAsync(DistributedApplication app, CancellationToken cancel)
    {
        await app.ResourceNotifications.WaitForResourceAsync("redis", [KnownResourceStates.Finished, KnownResourceStates.Exited], cancel);
        var start = await app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync("redis", KnownResourceCommands.StartCommand, cancel);
        Assert.IsTrue(start.Success, start.Message);
        await app.ResourceNotifications.WaitForResourceAsync("redis", KnownResourceStates.Running, cancel);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("redis", cancel);
    }

    /// <summary>GETs <paramref name="path"/> (any status code) until its JSON satisfies <paramref name="done"/>.</summary>
    private static async Task<JsonElement> PollAsync(
        HttpClient http, string path, Func<JsonElement, bool> done, CancellationToken cancel, TimeSpan? limit = null)
    {
        using var within = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        within.CancelAfter(limit ?? SaysSoWithin * 2);
        var last = "";
        try
        {
            while (true)
            {
                using var response = await http.GetAsync(path, within.Token);
                last = await response.Content.ReadAsStringAsync(within.Token);
                var json = JsonDocument.Parse(last).RootElement.Clone();
                if (done(json))
                {
                    return json;
                }

                await Task.Delay(200, within.Token);
            }
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            Assert.Fail($"GET {path} never reached the expected state; last answer: {last}");
            throw;
        }
    }

    private static async Task<string> AnonymousPingAsync(int port)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", port);
        var stream = socket.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray());
        var reply = new byte[64];
        var read = await stream.ReadAsync(reply);
        return Encoding.ASCII.GetString(reply, 0, read);
    }
}
