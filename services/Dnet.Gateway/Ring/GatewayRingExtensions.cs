using Dnet.Gateway.Completions;
using Dnet.Gateway.Telemetry;
using OpenTelemetry.Metrics;

namespace Dnet.Gateway.Ring;

/// <summary>DI wiring of the gateway: the ring, the planner client, completions and the token sink.</summary>
internal static class GatewayRingExtensions
{
    public static IHostApplicationBuilder AddGatewayRing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc();
        builder.Services.AddHttpClient<PlannerClient>(client =>
        {
            client.BaseAddress = new Uri("http://planner");
            // Planning may generate a model on the shards' first load; the standard resilience timeout is too short.
            client.Timeout = TimeSpan.FromMinutes(10);
        });
        builder.Services.AddSingleton<RequestRouter>();
        builder.Services.AddSingleton<ModelDeployment>();
        builder.Services.AddSingleton<CompletionService>();
        builder.Services.AddSingleton<GenAiServerMetrics>();
        // For users without the dashboard: the same metrics (GenAI, ASP.NET, runtime) scraped at /metrics.
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter());
        builder.Services.AddHostedService<DefaultModelStartup>();
        builder.Services.AddHealthChecks().AddCheck<ModelHealthCheck>("model", tags: ["ready"]);
        return builder;
    }
}
