using Dnet.Gateway.Apis;
using Dnet.Gateway.Completions;
using Dnet.Gateway.Limits;
using Dnet.Gateway.Telemetry;
using OpenTelemetry.Metrics;

namespace Dnet.Gateway.Ring;

/// <summary>DI wiring of the gateway: the ring, the planner client, completions, limits and the token sink.</summary>
internal static class GatewayRingExtensions
{
    public static IHostApplicationBuilder AddGatewayRing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc();
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is the documented way to replace the defaults' handler.
        builder.Services.AddHttpClient<PlannerClient>(client =>
        {
            client.BaseAddress = new Uri("http://planner");
            client.Timeout = TimeSpan.FromMinutes(10);
        })
            // The first plan profiles every shard (a matmul and memory benchmark each), which on a busy machine takes
            // longer than the standard handler's 10 s attempt timeout: a timeout there is logged as an Error and the
            // retry profiles again. Planning gets minutes instead.
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(options =>
            {
                options.AttemptTimeout.Timeout = TimeSpan.FromMinutes(3);
                options.CircuitBreaker.SamplingDuration = TimeSpan.FromMinutes(6);
                options.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(10);
            });
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton<RequestRouter>();
        builder.Services.AddSingleton<ModelDeployment>();
        builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection(GatewayOptions.Section));
        builder.Services.AddSingleton<CompletionService>();
        builder.Services.AddSingleton<CompletionEndpoint>();
        builder.Services.AddSingleton<StreamSlots>();
        builder.Services.AddClientLimits();
        builder.Services.AddSingleton<GenAiServerMetrics>();
        // For users without the dashboard: the same metrics (GenAI, ASP.NET, runtime) scraped at /metrics, uncached
        // (the exporter's default caches a scrape for 300 ms, so a scrape right after a request could miss it).
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        builder.Services.AddHostedService<DefaultModelStartup>();
        builder.Services.AddHealthChecks().AddCheck<ModelHealthCheck>("model", tags: ["ready"]);
        return builder;
    }
}
