using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// A second real cluster, started on first use, with the AppHost's <c>api-key</c> parameter set and the gateway's
/// limits turned down so that tests can reach them: 2 requests per client, 1 open stream, 64 prompt tokens, and a
/// 2 s client write timeout.
/// </summary>
internal static class SecuredCluster
{
    public const string ApiKey = "e2e-secret-key";
    public const int RequestsPerClient = 2;
    public const int OpenStreams = 1;
    public const int MaxPromptTokens = 64;
    public static readonly TimeSpan ClientWriteTimeout = TimeSpan.FromSeconds(2);

    private static readonly SemaphoreSlim Starting = new(1, 1);
    private static DistributedApplication? app;
    private static RedisDataDirectory? redisData;

    public static async Task<DistributedApplication> GetAsync(CancellationToken cancellationToken)
    {
        await Starting.WaitAsync(cancellationToken);
        try
        {
            return app ??= await StartAsync(cancellationToken);
        }
        finally
        {
            Starting.Release();
        }
    }

    /// <summary>A client for one of its services carrying <paramref name="authorization"/> (none when null).</summary>
    public static async Task<HttpClient> ClientAsync(string resource, string? authorization, CancellationToken cancellationToken)
    {
        var cluster = await GetAsync(cancellationToken);
        var client = cluster.CreateHttpClient(resource, "http");
        client.Timeout = TimeSpan.FromMinutes(2);
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        return client;
    }

    public static async Task StopAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
            app = null;
            redisData?.Dispose();
        }
    }

    private static async Task<DistributedApplication> StartAsync(CancellationToken cancellationToken)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Dnet_AppHost>(
            ["--Dnet:Shards=2", (redisData ??= new RedisDataDirectory()).Argument, $"--Parameters:api-key={ApiKey}"], cancellationToken);
        var gateway = builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "gateway");
        builder.CreateResourceBuilder(gateway)
            .WithEnvironment("Dnet__Gateway__MaxConcurrentRequestsPerClient", RequestsPerClient.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Dnet__Gateway__MaxOpenStreams", OpenStreams.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Dnet__Gateway__MaxPromptTokens", MaxPromptTokens.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Dnet__Gateway__ClientWriteTimeout", ClientWriteTimeout.ToString("c"));
        var started = await builder.BuildAsync(cancellationToken);
        try
        {
            // Generous, as the shared cluster's start: a busy 2-core machine can take minutes.
            using var startup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            startup.CancelAfter(TimeSpan.FromMinutes(10));
            await started.StartAsync(startup.Token);
            await started.ResourceNotifications.WaitForResourceHealthyAsync("gateway", startup.Token);
            await started.ResourceNotifications.WaitForResourceHealthyAsync("analytics", startup.Token);
            return started;
        }
        catch
        {
            // Not kept, so the next test starts afresh instead of finding half a cluster; stopped so none is left running.
            await started.DisposeAsync();
            throw;
        }
    }
}
