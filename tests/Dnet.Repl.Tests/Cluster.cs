using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace Dnet.Repl.Tests;

/// <summary>One real two-shard cluster for the whole assembly: starting it is the slow part, and the tests only read from it.</summary>
[TestClass]
public static class Cluster
{
    private static DistributedApplication? app;

    // Redis persists the span stream: this run gets a data directory of its own, not the user's cluster's.
    private static readonly string RedisData = Directory.CreateTempSubdirectory("dnet-repl-redis-").FullName;

    public static Uri Gateway { get; private set; } = null!;

    public static Uri Analytics { get; private set; } = null!;

    [AssemblyInitialize]
    public static async Task StartAsync(TestContext context)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Dnet_AppHost>(
            ["--Dnet:Shards=2", $"--Dnet:Redis:DataDirectory={RedisData}"], context.CancellationToken);
        app = await builder.BuildAsync(context.CancellationToken);
        // Generous, as the end-to-end cluster: CI starts this cluster while other test assemblies start theirs on the
        // same two cores (one run at load 10-14 needed more than 3 minutes).
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        startup.CancelAfter(TimeSpan.FromMinutes(6));
        await app.StartAsync(startup.Token);
        // The gateway is healthy once its model is loaded on the ring; analytics once it reads the span stream.
        using var healthy = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        healthy.CancelAfter(TimeSpan.FromMinutes(10));
        await app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", healthy.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("analytics", healthy.Token);
        Gateway = app.GetEndpoint("gateway", "http");
        Analytics = app.GetEndpoint("analytics", "http");
    }

    [AssemblyCleanup]
    public static async Task StopAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }

        Directory.Delete(RedisData, recursive: true);
    }
}
