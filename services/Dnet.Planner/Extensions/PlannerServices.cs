using Dnet.Planner.Infrastructure;
using Dnet.Planner.Topology;

namespace Dnet.Planner.Extensions;

/// <summary>DI wiring of the planner.</summary>
public static class PlannerServices
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ShardDirectory>();
        builder.Services.AddSingleton<ShardFleet>();
        builder.Services.AddSingleton<TopologySolver>();
        builder.Services.AddSingleton<TopologyStore>();
        builder.Services.AddSingleton<TopologyPlanner>();
        builder.Services.AddHealthChecks().AddCheck<TopologyHealthCheck>("topology", tags: ["ready"]);
        return builder;
    }
}
