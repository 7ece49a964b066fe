using Dnet.Gateway.Apis;
using Dnet.Gateway.Completions;
using Dnet.Gateway.Limits;

namespace Dnet.Gateway.Ring;

/// <summary>DI wiring of the gateway: the ring, the planner client, completions, limits and the token sink.</summary>
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
        builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection(GatewayOptions.Section));
        builder.Services.AddSingleton<CompletionService>();
        builder.Services.AddSingleton<CompletionEndpoint>();
        builder.Services.AddSingleton<StreamSlots>();
        builder.Services.AddClientLimits();
        builder.Services.AddHostedService<DefaultModelStartup>();
        builder.Services.AddHealthChecks().AddCheck<ModelHealthCheck>("model", tags: ["ready"]);
        return builder;
    }
}
