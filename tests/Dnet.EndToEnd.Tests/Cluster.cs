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

    /// <summary>When the gateway first reported healthy (its model loaded): the end of the cluster's start.</summary>
    public static DateTimeOffset HealthyAt { get; private set; }

    [AssemblyInitialize]
    public static async Task StartAsync(TestContext context)
    {
        // The dashboard is off in tests by default; it is on here because its telemetry API is part of what is tested
        // (a request's trace spans every process). Its ports are randomized like every other resource's.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Dnet_AppHost>(
            [
                "--Dnet:Shards=3",
                $"--AppHost:DashboardApiKey={DashboardApiKey}",
            ],
            (options, _) => options.DisableDashboard = false,
            context.CancellationToken);
        app = await builder.BuildAsync(context.CancellationToken);
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        // Generous: on a busy 2-core machine starting every process and loading the model can take minutes.
        startup.CancelAfter(TimeSpan.FromMinutes(6));
        await app.StartAsync(startup.Token);
        // Generous: on a shared 2-core machine under load the shards alone can take minutes to start.
        using var healthy = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        healthy.CancelAfter(TimeSpan.FromMinutes(10));
        await app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", healthy.Token);
        HealthyAt = DateTimeOffset.UtcNow;
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
        await SecuredCluster.StopAsync();
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }
}
