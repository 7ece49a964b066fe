using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>
/// <c>trace-sink</c>: Degraded, never Unhealthy, while this node cannot write its spans to Redis. Inference does not
/// need Redis, so the node still serves; the description says since when, how much is held and how much was lost, so a
/// dependent's <c>/health</c> tells that the trace sink is down within a second of it.
/// </summary>
internal sealed class TraceSinkHealthCheck(
    TraceRedisConnection redis,
    SpanExportCounters counters,
    SpanBatchBuffer buffer,
    TimeProvider clock) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = counters.Snapshot("redis");
        var data = new Dictionary<string, object>
        {
            ["exported_spans"] = status.ExportedSpans,
            ["written_spans"] = status.WrittenSpans,
            ["buffered_spans"] = status.BufferedSpans,
            ["dropped_spans"] = status.DroppedSpans,
            ["buffered_bytes"] = status.BufferedBytes,
            ["buffer_capacity_bytes"] = status.BufferCapacityBytes,
        };
        var held = $"{status.BufferedSpans} spans held ({status.BufferedBytes} of {buffer.CapacityBytes} bytes), {status.DroppedSpans} dropped";

        var connecting = redis.GetAsync();
        if (!connecting.IsCompleted)
        {
            return HealthCheckResult.Healthy($"connecting to the span stream; {held}", data);
        }

        bool connected;
        try
        {
            connected = (await connecting.ConfigureAwait(false)).IsConnected;
        }
        catch (Exception exception) when (exception is StackExchange.Redis.RedisException or ArgumentException)
        {
            // A connection string the client cannot use: the node still serves, and says why it traces nothing.
            return HealthCheckResult.Degraded($"trace sink unusable: {exception.Message}; {held}", exception, data);
        }

        var (since, error) = counters.Failing;
        if (since is { } failing)
        {
            var seconds = (clock.GetUtcNow() - failing).TotalSeconds;
            return HealthCheckResult.Degraded($"trace sink unavailable for {seconds:F0} s ({error}); {held}", data: data);
        }

        return connected
            ? HealthCheckResult.Healthy($"writing spans to the span stream; {held}", data)
            : HealthCheckResult.Degraded($"trace sink unreachable (Redis not connected); {held}", data: data);
    }
}
