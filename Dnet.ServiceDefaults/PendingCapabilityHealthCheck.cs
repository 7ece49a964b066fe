using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Marks a capability a service does not have yet. The service is up (Degraded, HTTP 200) but its <c>/health</c> payload
/// says <c>"ready": false</c> and what is missing, so nobody mistakes a skeleton for a working service.
/// </summary>
public static class PendingCapabilityHealthCheck
{
    /// <summary>Registers a Degraded check named <paramref name="name"/> whose description says what is missing.</summary>
    public static IHealthChecksBuilder AddPendingCapability(this IHealthChecksBuilder builder, string name, string missing) =>
        builder.AddCheck(
            name,
            () => HealthCheckResult.Degraded(
                $"not implemented yet: {missing}",
                data: new Dictionary<string, object> { ["missing"] = missing }),
            ["ready"]);
}
