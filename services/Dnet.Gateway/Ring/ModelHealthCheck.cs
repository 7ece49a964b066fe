using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dnet.Gateway.Ring;

/// <summary>The gateway is ready when a model is deployed over the ring; until then it says why not.</summary>
internal sealed class ModelHealthCheck(ModelDeployment deployment) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(deployment.Current is { } model
            ? HealthCheckResult.Healthy($"serving {model.Id} over {model.Shards.Count} shards",
                new Dictionary<string, object> { ["model"] = model.Id, ["ring"] = string.Join(" -> ", model.Shards.Select(s => s.Node)) })
            : HealthCheckResult.Unhealthy(deployment.LastError is { } error
                ? $"no model deployed: {error}"
                : "no model deployed yet (planning and loading)"));
}
