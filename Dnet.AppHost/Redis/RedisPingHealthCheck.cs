using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Dnet.AppHost.Redis;

/// <summary>Healthy once redis-server answers PING at its allocated endpoint (authenticated when it requires a password).</summary>
internal sealed class RedisPingHealthCheck(Func<string?> connectionString) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (connectionString() is not { } value)
        {
            return HealthCheckResult.Unhealthy("redis-server has no allocated endpoint yet");
        }

        var options = ConfigurationOptions.Parse(value);
        options.ConnectTimeout = 2000;
        options.AbortOnConnectFail = true;
        var endpoint = string.Join(",", options.EndPoints);
        try
        {
            using var connection = await ConnectionMultiplexer.ConnectAsync(options);
            await connection.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy();
        }
        catch (RedisException exception)
        {
            return HealthCheckResult.Unhealthy($"redis-server at {endpoint} does not answer PING", exception);
        }
    }
}
