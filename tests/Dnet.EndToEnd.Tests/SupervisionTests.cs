using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// A process that crashes is started again by the AppHost's supervisor within seconds, and its clients get an answer
/// or a refusal meanwhile, never silence; one stopped on purpose stays stopped. Runs on the shared cluster and leaves
/// it healthy.
/// </summary>
[TestClass]
public sealed class SupervisionTests
{
    private static readonly TimeSpan BackWithin = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan NoClientWaitsLongerThan = TimeSpan.FromSeconds(20);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task AKilledAnalyticsIsRestartedAndItsPortNeverHangsAClient()
    {
        var app = Cluster.App;
        await app.ResourceNotifications.WaitForResourceHealthyAsync("analytics", TestContext.CancellationToken);
        var killed = await Cluster.KillAsync(app, "analytics", TestContext.CancellationToken);
        var since = Stopwatch.StartNew();

        // A client without retries, as a person's curl would be: every attempt ends (answered or refused) well within
        // its own timeout, and one is answered once the supervisor has started analytics again.
        using var http = new HttpClient { BaseAddress = app.GetEndpoint("analytics", "http"), Timeout = TimeSpan.FromMinutes(2) };
        var answered = false;
        while (!answered && since.Elapsed < BackWithin)
        {
            var attempt = Stopwatch.StartNew();
            try
            {
                using var response = await http.GetAsync("/alive", TestContext.CancellationToken);
                answered = response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                // Refused or reset while nothing listens: an answer too.
            }

            Assert.IsLessThan(NoClientWaitsLongerThan, attempt.Elapsed, "a request to the dead service's port hung");
            await Task.Delay(200, TestContext.CancellationToken);
        }

        Assert.IsTrue(answered, $"analytics did not answer within {BackWithin} of the crash");
        await Cluster.WaitForNewProcessAsync(app, "analytics", killed, TestContext.CancellationToken);

        // Stopped on purpose (the dashboard's Stop), it stays stopped well past the supervisor's first restart delay.
        var commands = app.Services.GetRequiredService<ResourceCommandService>();
        var stop = await commands.ExecuteCommandAsync("analytics", KnownResourceCommands.StopCommand, TestContext.CancellationToken);
        Assert.IsTrue(stop.Success, stop.Message);
        try
        {
            await app.ResourceNotifications.WaitForResourceAsync("analytics", [KnownResourceStates.Finished, KnownResourceStates.Exited], TestContext.CancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(4), TestContext.CancellationToken);
            Assert.IsTrue(app.ResourceNotifications.TryGetCurrentState("analytics", out var stopped));
            Assert.IsTrue(stopped!.Snapshot.State?.Text == KnownResourceStates.Finished || stopped.Snapshot.State?.Text == KnownResourceStates.Exited,
                $"analytics is {stopped.Snapshot.State?.Text} after a stop on purpose");
        }
        finally
        {
            var start = await commands.ExecuteCommandAsync("analytics", KnownResourceCommands.StartCommand, TestContext.CancellationToken);
            Assert.IsTrue(start.Success, start.Message);
        }

        await app.ResourceNotifications.WaitForResourceHealthyAsync("analytics", TestContext.CancellationToken);
    }

    [TestMethod]
    public async Task AKilledRedisIsRestartedOnItsDataAndNoSpanIsLost()
    {
        var app = Cluster.App;
        var client = await Cluster.ChatClientAsync(TestContext.CancellationToken);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("analytics", TestContext.CancellationToken);
        var killed = await Cluster.KillAsync(app, "redis", TestContext.CancellationToken);

        // Served while Redis is down or coming back: its spans wait in the exporters' buffers.
        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Is the sink back?")],
            new ChatCompletionOptions { MaxOutputTokenCount = 6, Temperature = 0 }, TestContext.CancellationToken);

        using var within = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        within.CancelAfter(BackWithin);
        await Cluster.WaitForNewProcessAsync(app, "redis", killed, within.Token);

        using var analytics = new HttpClient { BaseAddress = app.GetEndpoint("analytics", "http") };
        while (true)
        {
            using var response = await analytics.GetAsync($"/analytics/requests/{completion.Id}?format=json", within.Token);
            if (response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<JsonElement>(within.Token)).GetProperty("complete").GetBoolean())
            {
                break;
            }

            await Task.Delay(250, within.Token);
        }

        var status = await analytics.GetFromJsonAsync<JsonElement>("/analytics/status", within.Token);
        foreach (var node in status.GetProperty("nodes").EnumerateArray())
        {
            Assert.AreEqual(0L, node.GetProperty("dropped_spans").GetInt64(), $"{node.GetProperty("node")} dropped spans");
        }
    }
}
