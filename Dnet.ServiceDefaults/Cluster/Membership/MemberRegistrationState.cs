using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dnet.ServiceDefaults.Cluster.Membership;

/// <summary>
/// How this process's membership stands, as the <c>membership</c> health check reports it: Unhealthy until the first
/// heartbeat registered it, Healthy while heartbeats get through, Degraded (still serving) while they fail.
/// </summary>
internal sealed class MemberRegistrationState(TimeProvider clock) : IHealthCheck
{
    private ClusterMember? member;
    private DateTimeOffset? lastBeat;
    private string? lastError;

    public void Describe(ClusterMember self) => member = self;

    public void Beat()
    {
        lastBeat = clock.GetUtcNow();
        lastError = null;
    }

    public void Failed(string error) => lastError = error;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>();
        if (member is { } self)
        {
            data["node"] = self.Node;
            data["address"] = self.Address;
        }

        var result = (lastBeat, lastError) switch
        {
            (null, null) => HealthCheckResult.Unhealthy("not a cluster member yet (registering once listening)", data: data),
            (null, { } error) => HealthCheckResult.Unhealthy($"not a cluster member: {error}", data: data),
            ({ } beat, { } error) => HealthCheckResult.Degraded(
                $"member {member?.Node} at {member?.Address}, but {error} (last heartbeat {(clock.GetUtcNow() - beat).TotalSeconds:F0} s ago)", data: data),
            _ => HealthCheckResult.Healthy($"member {member?.Node} at {member?.Address}", data),
        };
        return Task.FromResult(result);
    }
}
