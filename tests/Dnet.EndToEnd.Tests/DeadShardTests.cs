using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using OpenAI.Chat;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// A shard that dies fails the request in flight within seconds, with a clear error, instead of hanging it.
/// Uses a cluster of its own: killing a shard would break the shared one for the other tests.
/// </summary>
[TestClass]
public sealed class DeadShardTests
{
    private static readonly TimeSpan FailWithin = TimeSpan.FromSeconds(10);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task KilledShardFailsTheStreamingRequestWithinTenSeconds()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Dnet_AppHost>(
            ["--Dnet:Shards=2"], TestContext.CancellationToken);
        await using var app = await builder.BuildAsync(TestContext.CancellationToken);
        await app.StartAsync(TestContext.CancellationToken);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", TestContext.CancellationToken);
        var client = new OpenAI.OpenAIClient(new System.ClientModel.ApiKeyCredential("unused"),
            new OpenAI.OpenAIClientOptions { Endpoint = new Uri(app.GetEndpoint("gateway", "http"), "/v1") }).GetChatClient(Cluster.ModelId);

        // Long enough that the shard dies mid-generation.
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 1900, Temperature = 0 };
        var updates = client.CompleteChatStreamingAsync([new UserChatMessage("Go on and on.")], options, TestContext.CancellationToken);
        var received = 0;
        var killedAt = 0L;
        var failure = await Assert.ThrowsAsync<Exception>(async () =>
        {
            await foreach (var update in updates)
            {
                if (++received == 5)
                {
                    await KillAsync(app, "shard-1");
                    killedAt = Stopwatch.GetTimestamp();
                }
            }
        });

        var elapsed = Stopwatch.GetElapsedTime(killedAt);
        Assert.IsGreaterThan(0L, killedAt, $"the request ended before the shard was killed: {failure.Message}");
        Assert.IsLessThan(FailWithin, elapsed, $"the request took {elapsed} to fail");
        StringAssert.Contains(failure.Message, "shard", $"the error should say a shard failed: {failure.Message}");
    }

    private async Task KillAsync(DistributedApplication app, string resource)
    {
        var snapshot = app.Services.GetRequiredService<ResourceNotificationService>();
        var state = await snapshot.WaitForResourceAsync(resource, e => e.Snapshot.Properties.Any(p => p.Name == "executable.pid"), TestContext.CancellationToken);
        var pid = Convert.ToInt32(state.Snapshot.Properties.First(p => p.Name == "executable.pid").Value, System.Globalization.CultureInfo.InvariantCulture);
        // SIGKILL: no graceful shutdown, the way a crash or a pulled plug looks to the rest of the ring.
        Process.GetProcessById(pid).Kill(entireProcessTree: true);
    }
}
