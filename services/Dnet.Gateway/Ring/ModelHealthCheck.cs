using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dnet.Gateway.Ring;

/// <summary>
/// The gateway is ready while its ring serves: a model is loaded and every ring shard answered the last probe holding
/// its slice. Starting, re-planning (a shard died, froze, was unloaded behind the gateway's back, or members joined),
/// down or unloaded is Unhealthy, with the reason.
/// </summary>
internal sealed class ModelHealthCheck(RingStatus status, ModelDeployment deployment) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["state"] = status.State.ToString().ToLowerInvariant(), ["since"] = status.Since };
        if (deployment.Current is { } model)
        {
            data["model"] = model.Id;
            data["ring"] = model.Ring;
        }

        return Task.FromResult(status.State == RingState.Serving && deployment.Current is not null
            ? HealthCheckResult.Healthy(status.Reason, data)
            : HealthCheckResult.Unhealthy($"{status.State.ToString().ToLowerInvariant()}: {status.Reason}", data: data));
    }
}
