using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Dnet.Analytics.Infrastructure;

/// <summary>
/// Analytics is only useful if it can both write to and read from Redis: a PING proves neither, so write a key with a
/// short expiry and read it back.
/// </summary>
internal sealed class RedisRoundTripHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    private static readonly RedisKey ProbeKey = "dnet:analytics:health";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            // Answer at once during an outage instead of after the client's command timeout.
            return HealthCheckResult.Unhealthy($"not connected to redis at {Endpoints()}");
        }

        var database = redis.GetDatabase();
        var written = Guid.NewGuid().ToString("N");
        try
        {
            await database.StringSetAsync(ProbeKey, written, TimeSpan.FromMinutes(1));
            var read = await database.StringGetAsync(ProbeKey);
            return read == written
                ? HealthCheckResult.Healthy("wrote and read back a key", new Dictionary<string, object> { ["endpoint"] = Endpoints() })
                : HealthCheckResult.Unhealthy($"wrote '{written}' but read back '{read}'");
        }
        catch (RedisException exception)
        {
            return HealthCheckResult.Unhealthy($"redis at {Endpoints()} failed a write/read round trip", exception);
        }
    }

    private string Endpoints() => string.Join(",", redis.GetEndPoints().Select(e => e.ToString()));
}
