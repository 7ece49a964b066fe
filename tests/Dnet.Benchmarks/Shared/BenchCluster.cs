using System.Diagnostics;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Dnet.Benchmarks.Shared;

/// <summary>
/// One real cluster (the AppHost with every project and redis), started as the end-to-end tests start it, with a
/// plain HTTP client for the gateway once the gateway is healthy (its model planned and loaded).
/// </summary>
sealed partial class BenchCluster : IAsyncDisposable
{
    static readonly TimeSpan StartupLimit = TimeSpan.FromMinutes(6);
    static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    // Redis persists the span stream: each benchmark cluster gets a data directory of its own, removed at the end.
    readonly string redisData;

    // Remote mode: the shard processes in their network namespaces, stopped after the AppHost.
    RemoteHosts? remote;

    BenchCluster(DistributedApplication app, HttpClient gateway, string? apiKey, double startupSeconds, string redisData)
    {
        this.redisData = redisData;
        App = app;
        Gateway = gateway;
        ApiKey = apiKey;
        StartupSeconds = startupSeconds;
    }

    public DistributedApplication App { get; }

    /// <summary>The key every request carries, or null when the cluster has none.</summary>
    public string? ApiKey { get; }

    /// <summary>The gateway's loopback HTTP endpoint; no resilience handler, so every retry or timeout is the benchmark's own.</summary>
    public HttpClient Gateway { get; }

    /// <summary>From building the AppHost to a healthy gateway; the first run of a model includes generating it.</summary>
    public double StartupSeconds { get; }

    public static async Task<BenchCluster> StartAsync(int shards, string model, string? apiKey, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        startup.CancelAfter(StartupLimit);
        var redisData = Directory.CreateTempSubdirectory("dnet-bench-redis-").FullName;
        string[] arguments = [$"--Dnet:Shards={shards}", $"--Dnet:Model={model}", "--Dnet:UseAllShards=true", $"--Dnet:Redis:DataDirectory={redisData}"];
        var app = await BuildAppAsync(arguments, apiKey, startup.Token);
        Console.Error.WriteLine($"cluster: starting {shards} shard(s) with {model}");
        try
        {
            await app.StartAsync(startup.Token);
            await WaitWithProgressAsync(app, watch, startup.Token);
        }
        catch
        {
            // A cluster that never became healthy is stopped here: no caller holds it to dispose it.
            await app.DisposeAsync();
            Directory.Delete(redisData, recursive: true);
            throw;
        }

        var gateway = Client(app, "gateway", apiKey, Timeout.InfiniteTimeSpan);
        Console.Error.WriteLine($"cluster: gateway healthy after {watch.Elapsed.TotalSeconds:F1} s at {gateway.BaseAddress}");
        return new BenchCluster(app, gateway, apiKey, Math.Round(watch.Elapsed.TotalSeconds, 1), redisData);
    }

    /// <summary>A plain client for one of the cluster's services, carrying the API key when there is one.</summary>
    public HttpClient CreateClient(string resource) => Client(App, resource, ApiKey, TimeSpan.FromSeconds(100));

    /// <summary>The AppHost with these arguments (and the api-key parameter when given), built but not started.</summary>
    static async Task<DistributedApplication> BuildAppAsync(string[] arguments, string? apiKey, CancellationToken cancellationToken)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Dnet_AppHost>(
            apiKey is null ? arguments : [.. arguments, $"--Parameters:api-key={apiKey}"], cancellationToken);
        // stdout carries only the JSON result: host and resource logs go to stderr, warnings and worse only.
        // Provider-specific filters, because they outrank the category levels the testing builder configures.
        // Health checks are silenced: redis's fails on every probe while the cluster stops.
        builder.Services.AddLogging(logging => logging
            .ClearProviders()
            .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning)
            .AddFilter<ConsoleLoggerProvider>("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        return await builder.BuildAsync(cancellationToken);
    }

    static HttpClient Client(DistributedApplication app, string resource, string? apiKey, TimeSpan timeout)
    {
        var client = new HttpClient { BaseAddress = app.GetEndpoint(resource, "http"), Timeout = timeout };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    /// <summary>The id the gateway serves the model under (the folder's name when the model is a path).</summary>
    public async Task<string> ServedModelAsync(CancellationToken cancellationToken)
    {
        using var models = JsonDocument.Parse(await Gateway.GetStringAsync("/v1/models", cancellationToken));
        return models.RootElement.GetProperty("data")[0].GetProperty("id").GetString()!;
    }

    /// <summary>Waits for a healthy gateway, printing what is not healthy yet: the model load can take a while, or fail.</summary>
    static async Task WaitWithProgressAsync(DistributedApplication app, Stopwatch watch, CancellationToken cancellationToken)
    {
        var healthy = app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", cancellationToken);
        using var probe = new HttpClient { BaseAddress = app.GetEndpoint("gateway", "http"), Timeout = TimeSpan.FromSeconds(3) };
        while (await Task.WhenAny(healthy, Task.Delay(ProgressInterval, cancellationToken)) != healthy)
        {
            var waiting = app.Services.GetRequiredService<DistributedApplicationModel>().Resources
                .Where(resource => !resource.Name.EndsWith("-rebuilder", StringComparison.Ordinal))
                .Select(resource => app.ResourceNotifications.TryGetCurrentState(resource.Name, out var state)
                    ? $"{resource.Name}={state.Snapshot.State?.Text}/{state.Snapshot.HealthStatus?.ToString() ?? "-"}"
                    : $"{resource.Name}=?")
                .Where(text => !text.EndsWith("/Healthy", StringComparison.Ordinal));
            Console.Error.WriteLine($"cluster: waiting {watch.Elapsed.TotalSeconds:F0} s: {string.Join(", ", waiting)}; {await GatewayHealthAsync(probe)}");
        }

        await healthy;
    }

    /// <summary>The gateway's checks that are not healthy, with their descriptions (e.g. why no model is deployed yet).</summary>
    static async Task<string> GatewayHealthAsync(HttpClient probe)
    {
        try
        {
            // /health answers 503 with the same JSON while a check fails: read the body whatever the status.
            using var response = await probe.GetAsync("/health");
            using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var failing = report.RootElement.GetProperty("checks").EnumerateObject()
                .Where(check => check.Value.GetProperty("status").GetString() != "Healthy")
                .Select(check => $"{check.Name}: {check.Value.GetProperty("description")}");
            return $"gateway health: {string.Join("; ", failing)}";
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            return $"gateway health: {exception.Message}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        Console.Error.WriteLine("cluster: stopping");
        Gateway.Dispose();
        remote?.StopShards();
        await App.DisposeAsync();
        remote?.Dispose();
        Directory.Delete(redisData, recursive: true);
    }
}
