using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// A shard that dies or freezes fails the request in flight within seconds, with a clear error, instead of hanging it.
/// Uses a cluster of its own per case: killing or freezing a shard would break the shared one for the other tests.
/// </summary>
[TestClass]
public sealed class DeadShardTests
{
    private static readonly TimeSpan FailWithin = TimeSpan.FromSeconds(10);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("KILL", DisplayName = "killed shard (SIGKILL)")]
    [DataRow("STOP", DisplayName = "frozen shard (SIGSTOP)")]
    public async Task DeadOrStalledShardFailsTheStreamingRequestWithinTenSeconds(string signal)
    {
        using var redisData = new RedisDataDirectory();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Dnet_AppHost>(
            ["--Dnet:Shards=2", redisData.Argument], TestContext.CancellationToken);
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
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(killedAt);
        if (signal == "STOP")
        {
            // Let the frozen shard shut down with the cluster.
            await SignalAsync(app, "shard-1", "CONT");
        }

        Assert.IsGreaterThan(0L, killedAt, "the stream ended before the shard was killed");
        Assert.IsNotNull(errorData, "the stream ended without an error event");
        Assert.IsFalse(sawDone, "a failed stream must not end with [DONE] as if it had succeeded");
        Assert.IsLessThan(FailWithin, elapsed, $"the request took {elapsed} to fail");
        var error = JsonDocument.Parse(errorData["data: ".Length..]).RootElement.GetProperty("error");
        StringAssert.Contains(error.GetProperty("message").GetString(), "shard");
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
