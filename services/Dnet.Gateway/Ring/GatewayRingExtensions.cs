using Dnet.Gateway.Apis;
using Dnet.Gateway.Completions;
using Dnet.Gateway.Limits;
using Dnet.Gateway.Telemetry;
using Dnet.ServiceDefaults.Cluster;
using OpenTelemetry.Metrics;

namespace Dnet.Gateway.Ring;

/// <summary>DI wiring of the gateway: the ring and its supervisor, the planner client, completions, limits and the token sink.</summary>
internal static class GatewayRingExtensions
{
    public static IHostApplicationBuilder AddGatewayRing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc()
            // Only members of the cluster may report tokens: a forged frame could end another user's request.
            .AddServiceOptions<TokenSinkApi>(options => options.Interceptors.Add<ClusterSecretInterceptor>());
#pragma warning disable EXTEXP0001 // Evaluation API, and the documented way to take the defaults' handler off one client.
        builder.Services.AddHttpClient<PlannerClient>(client =>
        {
            client.BaseAddress = new Uri("http://planner");
            // Each call sets its own timeout from the number of members (PlannerTimeouts).
            client.Timeout = Timeout.InfiniteTimeSpan;
        })
            // The standard handler retries POSTs and times out after 30 s: a plan is neither idempotent nor that quick.
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton<RingAlarm>();
        builder.Services.AddSingleton<RingStatus>();
        builder.Services.AddSingleton<RingHistory>();
        builder.Services.AddSingleton<RingProbe>();
        builder.Services.AddSingleton<ClusterView>();
        builder.Services.AddSingleton<TokenSinkAddress>();
        builder.Services.AddSingleton<RequestRouter>();
        builder.Services.AddSingleton<ModelDeployment>();
        builder.Services.AddSingleton<RingSupervisor>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<RingSupervisor>());
        builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection(GatewayOptions.Section));
        builder.Services.AddSingleton<CompletionService>();
        builder.Services.AddSingleton<CompletionEndpoint>();
        builder.Services.AddSingleton<StreamSlots>();
        builder.Services.AddClientLimits();
        builder.Services.AddSingleton<GenAiServerMetrics>();
        // For users without the dashboard: the same metrics (GenAI, ASP.NET, runtime) scraped at /metrics, uncached
        // (the exporter's default caches a scrape for 300 ms, so a scrape right after a request could miss it).
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        builder.Services.AddHealthChecks().AddCheck<ModelHealthCheck>("model", tags: ["ready"]);
        return builder;
    }
}
