using Dnet.Analytics.Ingest;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Dnet.Analytics.Infrastructure;

/// <summary>
/// Ready when the span stream consumer runs and its latest Redis round trip succeeded recently. The read loop comes
/// back to Redis at least every block time, so a loop that has not for much longer is stuck or cut off.
/// </summary>
internal sealed class SpanConsumerHealthCheck(ConsumerState state, IOptions<AnalyticsOptions> options, TimeProvider clock) : IHealthCheck
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = state.Snapshot();
        var data = new Dictionary<string, object>
        {
            ["consumer"] = options.Value.Consumer,
            ["entries_read"] = status.EntriesRead,
            ["malformed_entries"] = status.MalformedEntries,
        };
        var stale = clock.GetUtcNow() - status.LastPollAt > Grace + TimeSpan.FromMilliseconds(options.Value.BlockMilliseconds);
        var result = (status.Running, status.Connected, status.LastPollAt) switch
        {
            (false, _, _) => HealthCheckResult.Unhealthy("span stream consumer is not running", data: data),
            (_, false, _) or (_, _, null) => HealthCheckResult.Unhealthy($"span stream consumer cannot reach Redis: {status.LastError ?? "connecting"}", data: data),
            _ when stale => HealthCheckResult.Unhealthy($"span stream consumer has not polled Redis since {status.LastPollAt:O}", data: data),
            _ => HealthCheckResult.Healthy($"reading {options.Value.Stream} as {options.Value.Group}/{options.Value.Consumer}", data),
        };
        return Task.FromResult(result);
    }
}
