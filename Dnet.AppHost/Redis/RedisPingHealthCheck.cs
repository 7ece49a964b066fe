using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Dnet.AppHost.Redis;

/// <summary>Healthy once redis-server answers PING at its allocated endpoint.</summary>
internal sealed class RedisPingHealthCheck(Func<string?> connectionString) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (connectionString() is not { } endpoint)
        {
            return HealthCheckResult.Unhealthy("redis-server has no allocated endpoint yet");
        }

        try
        {
            using var connection = await ConnectionMultiplexer.ConnectAsync(
                new ConfigurationOptions { EndPoints = { endpoint }, ConnectTimeout = 2000, AbortOnConnectFail = true });
            await connection.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy();
        }
        catch (RedisException exception)
        {
            return HealthCheckResult.Unhealthy($"redis-server at {endpoint} does not answer PING", exception);
        }
    }
}
