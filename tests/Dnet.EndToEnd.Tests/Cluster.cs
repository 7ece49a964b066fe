using System.ClientModel;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
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
    private static readonly RedisDataDirectory RedisData = new();

    public static DistributedApplication App => app ?? throw new InvalidOperationException("The cluster did not start.");

    /// <summary>The Aspire dashboard of this cluster (its telemetry API answers with <see cref="DashboardApiKey"/>).</summary>
    public static Uri DashboardUrl => App.GetEndpoint("aspire-dashboard", "http");

    public const string DashboardApiKey = "dnet-end-to-end";

    /// <summary>The cluster secret this cluster's members share (the AppHost's <c>cluster-secret</c> parameter).</summary>
    public const string Secret = "dnet-end-to-end-cluster-secret";

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
                RedisData.Argument,
                $"--AppHost:DashboardApiKey={DashboardApiKey}",
                $"--Parameters:cluster-secret={Secret}",
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


    /// <summary>The pid of a resource's process (for an executable the program itself; for a project its launcher).</summary>
    public static async Task<int> PidAsync(DistributedApplication app, string resource, CancellationToken cancellationToken)
    {
        var state = await app.ResourceNotifications.WaitForResourceAsync(
            resource, e => e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.Properties.Any(p => p.Name == "executable.pid"), cancellationToken);
        return Convert.ToInt32(state.Snapshot.Properties.First(p => p.Name == "executable.pid").Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until a resource runs a process other than <paramref name="oldPid"/> and is healthy; returns its pid.</summary>
    public static async Task<int> WaitForNewProcessAsync(DistributedApplication app, string resource, int oldPid, CancellationToken cancellationToken)
    {
        await app.ResourceNotifications.WaitForResourceAsync(
            resource,
            e => e.Snapshot.State?.Text == KnownResourceStates.Running
                && e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
                && Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture) != oldPid,
            cancellationToken);
        await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellationToken);
        return await PidAsync(app, resource, cancellationToken);
    }

    /// <summary>SIGKILL to a resource's process tree: a crash, as far as Aspire can tell.</summary>
    public static async Task<int> KillAsync(DistributedApplication app, string resource, CancellationToken cancellationToken)
    {
        var pid = await PidAsync(app, resource, cancellationToken);
        using var process = System.Diagnostics.Process.GetProcessById(pid);
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(cancellationToken);
        return pid;
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

        RedisData.Dispose();
    }
}
