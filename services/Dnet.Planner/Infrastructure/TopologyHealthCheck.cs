using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dnet.Planner.Infrastructure;

/// <summary>
/// Ready when there are shards to plan for. It does not call the shards: the planner is usable while they start, and
/// GET /planner/devices reports which ones answer.
/// </summary>
internal sealed class TopologyHealthCheck(ShardDirectory directory, TopologyStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        int shards = directory.Endpoints.Count;
        var data = new Dictionary<string, object>
        {
            ["configured_shards"] = shards,
            ["current_topology"] = store.Current is { } topology ? string.Join(" -> ", topology.Shards.Select(s => $"{s.Node}[{s.LayerStart},{s.LayerEnd})")) : "none",
        };
        return Task.FromResult(shards == 0
            ? HealthCheckResult.Degraded("no shard gRPC endpoints configured (services:shard-N:grpc:0)", data: data)
            : HealthCheckResult.Healthy($"solver ready for {shards} configured shards", data));
    }
}
