using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// One real cluster (the AppHost, every project, redis-server) shared by the end-to-end tests: starting it takes
/// seconds and every test reads from it without changing what the others see.
/// </summary>
[TestClass]
public static class Cluster
{
    public static readonly string[] ResourceNames = ["redis", "planner", "gateway", "analytics", "shard-0", "shard-1"];

    private static DistributedApplication? app;

    public static DistributedApplication App => app ?? throw new InvalidOperationException("The cluster did not start.");

    [AssemblyInitialize]
    public static async Task StartAsync(TestContext context)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Dnet_AppHost>(
            ["--Dnet:Shards=2"], context.CancellationToken);
        app = await builder.BuildAsync(context.CancellationToken);
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        startup.CancelAfter(TimeSpan.FromMinutes(3));
        await app.StartAsync(startup.Token);
    }

    [AssemblyCleanup]
    public static async Task StopAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }
}
