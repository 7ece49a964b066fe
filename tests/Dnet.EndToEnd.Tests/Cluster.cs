using System.ClientModel;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using OpenAI;
using OpenAI.Chat;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// One real cluster (the AppHost, every project, redis-server) shared by the end-to-end tests: starting it takes
/// seconds and every test reads from it without changing what the others see.
/// </summary>
[TestClass]
public static class Cluster
{
    public static readonly string[] ResourceNames = ["redis", "planner", "gateway", "analytics", "shard-0", "shard-1", "shard-2"];

    /// <summary>The model the AppHost deploys by default.</summary>
    public const string ModelId = "dnet-tiny";

    private static DistributedApplication? app;

    public static DistributedApplication App => app ?? throw new InvalidOperationException("The cluster did not start.");

    /// <summary>The Aspire dashboard of this cluster (its telemetry API answers with <see cref="DashboardApiKey"/>).</summary>
    public static Uri DashboardUrl => App.GetEndpoint("aspire-dashboard", "http");

    public const string DashboardApiKey = "dnet-end-to-end";

    /// <summary>The cluster secret this cluster's members share (the AppHost's <c>cluster-secret</c> parameter).</summary>
    public const string Secret = "dnet-end-to-end-cluster-secret";

    [AssemblyInitialize]
    public static async Task StartAsync(TestContext context)
    {
        // The dashboard is off in tests by default; it is on here because its telemetry API is part of what is tested
        // (a request's trace spans every process). Its ports are randomized like every other resource's.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Dnet_AppHost>(
            [
                "--Dnet:Shards=3",
                $"--AppHost:DashboardApiKey={DashboardApiKey}",
                $"--Parameters:cluster-secret={Secret}",
            ],
            (options, _) => options.DisableDashboard = false,
            context.CancellationToken);
        app = await builder.BuildAsync(context.CancellationToken);
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        startup.CancelAfter(TimeSpan.FromMinutes(3));
        await app.StartAsync(startup.Token);
    }


    /// <summary>An OpenAI client for the gateway, once the gateway (and so the model) is ready.</summary>
    public static async Task<OpenAIClient> OpenAiClientAsync(CancellationToken cancellationToken)
    {
        await App.ResourceNotifications.WaitForResourceHealthyAsync("gateway", cancellationToken);
        var endpoint = new Uri(App.GetEndpoint("gateway", "http"), "/v1");
        return new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = endpoint });
    }

    /// <summary>A chat client for the default model.</summary>
    public static async Task<ChatClient> ChatClientAsync(CancellationToken cancellationToken) =>
        (await OpenAiClientAsync(cancellationToken)).GetChatClient(ModelId);

    [AssemblyCleanup]
    public static async Task StopAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }
}
