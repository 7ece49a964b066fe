using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dnet.Shard.Ring;

/// <summary>
/// A shard without a slice is alive and waiting for the gateway to load one: Healthy, with what it holds in the data,
/// so the dashboard shows the shard up before the model is planned.
/// </summary>
internal sealed class SliceHealthCheck(SliceHost host) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(host.Current is { } loaded
            ? HealthCheckResult.Healthy($"serving {loaded.Model} layers [{loaded.Slice.Layers.Start}, {loaded.Slice.Layers.End})",
                new Dictionary<string, object> { ["model"] = loaded.Model, ["layers"] = loaded.Layers, ["sequences"] = loaded.Slice.Sequences.Count })
            : HealthCheckResult.Healthy("no slice loaded yet", new Dictionary<string, object> { ["model"] = "" }));
}
