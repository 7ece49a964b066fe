using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Logs health checks when their status changes, at a level that says whether it is news: a check that has never
/// been healthy (a service starting, a model loading) is Information; one that was healthy and is now Unhealthy is an
/// Error. It replaces the health check service's own log, which writes an Error on every probe of a check that is
/// not healthy yet, so a clean start would log dozens of errors while the gateway loads its model.
/// </summary>
internal sealed class HealthTransitionLog(ILogger<HealthTransitionLog> logger) : IHealthCheckPublisher
{
    /// <summary>The health check service's category, silenced in favour of this log.</summary>
    public const string ProbeLogCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    private readonly Dictionary<string, HealthStatus> _last = new(StringComparer.Ordinal);
    private readonly HashSet<string> _wasHealthy = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var (name, entry) in report.Entries)
            {
                if (_last.TryGetValue(name, out var previous) && previous == entry.Status)
                {
                    continue;
                }

                _last[name] = entry.Status;
                Log(name, entry, regressed: _wasHealthy.Contains(name));
                if (entry.Status == HealthStatus.Healthy)
                {
                    _wasHealthy.Add(name);
                }
            }
        }

        return Task.CompletedTask;
    }

    private void Log(string name, HealthReportEntry entry, bool regressed)
    {
        var level = (entry.Status, regressed) switch
        {
            (HealthStatus.Healthy, _) => LogLevel.Information,
            (_, false) => LogLevel.Information,
            (HealthStatus.Degraded, true) => LogLevel.Warning,
            _ => LogLevel.Error,
        };
        logger.Log(level, entry.Exception, "Health check {HealthCheck} is {Status}: {Description}", name, entry.Status, entry.Description ?? "no description");
    }
}
