using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dnet.Planner.Infrastructure;

/// <summary>
/// Ready when membership can be read. It does not call the shards: the planner is usable while they start, and
/// GET /planner/devices reports which ones answer. No member yet is still ready: shards may join at any time, and the
/// gateway (which waits for the planner) is how shards on other machines join.
/// </summary>
internal sealed class TopologyHealthCheck(ShardDirectory directory, TopologyStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["current_topology"] = store.Current is { } topology ? string.Join(" -> ", topology.Shards.Select(s => $"{s.Node}[{s.LayerStart},{s.LayerEnd})")) : "none",
        };
        try
        {
            var shards = await directory.EndpointsAsync(cancellationToken);
            data["members"] = string.Join(", ", shards.Select(s => s.Node));
            return HealthCheckResult.Healthy(shards.Count == 0
                ? "solver ready; no shard is a member of the cluster yet"
                : $"solver ready for {shards.Count} member shards", data);
        }
        catch (NoShardsException exception)
        {
            return HealthCheckResult.Unhealthy(exception.Message, data: data);
        }
    }
}
