using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// Redis is only the span sink: losing it must not cost a single completion, and once it is back, requests are traced
/// again and the spans that could not be delivered meanwhile are accounted for, not silently lost.
/// </summary>
[TestClass]
public sealed class TraceSinkOutageTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task CompletionsSurviveARedisOutageAndTheLossIsReported()
    {
        var client = await Cluster.ChatClientAsync(TestContext.CancellationToken);
        var commands = Cluster.App.Services.GetRequiredService<ResourceCommandService>();
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 8, Temperature = 0 };

        var stop = await commands.ExecuteCommandAsync("redis", KnownResourceCommands.StopCommand, TestContext.CancellationToken);
        Assert.IsTrue(stop.Success, stop.Message);
        ChatCompletion duringOutage;
        try
        {
            await Cluster.App.ResourceNotifications.WaitForResourceAsync("redis",
                [KnownResourceStates.Exited, KnownResourceStates.Finished, KnownResourceStates.FailedToStart], TestContext.CancellationToken);
            duringOutage = await client.CompleteChatAsync([new UserChatMessage("Is anyone tracing this?")], options, TestContext.CancellationToken);
        }
        finally
        {
            var start = await commands.ExecuteCommandAsync("redis", KnownResourceCommands.StartCommand, TestContext.CancellationToken);
            Assert.IsTrue(start.Success, start.Message);
        }

        Assert.IsGreaterThan(0, duringOutage.Usage.OutputTokenCount);
        await Cluster.App.ResourceNotifications.WaitForResourceHealthyAsync("redis", TestContext.CancellationToken);

        using var analytics = Cluster.App.CreateHttpClient("analytics", "http");
        var dropped = 0L;
        string? traced = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (traced is null || dropped == 0)
        {
            // Exporters reconnect on their own; a request made after that is traced end to end again.
            ChatCompletion after = await client.CompleteChatAsync([new UserChatMessage("And now?")], options, timeout.Token);
            await Task.Delay(TimeSpan.FromSeconds(1.5), timeout.Token);
            using var stats = await analytics.GetAsync($"/analytics/requests/{after.Id}?format=json", timeout.Token);
            if (stats.IsSuccessStatusCode && (await stats.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("complete").GetBoolean())
            {
                traced = after.Id;
            }

            var status = await analytics.GetFromJsonAsync<JsonElement>("/analytics/status", timeout.Token);
            dropped = status.GetProperty("dropped_spans").GetInt64();
        }

        Assert.IsNotNull(traced);
        Assert.IsGreaterThan(0L, dropped, "the spans of the request made during the outage must be counted as dropped");
    }
}
