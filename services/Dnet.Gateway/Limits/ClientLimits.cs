using System.Globalization;
using System.Threading.RateLimiting;
using Dnet.ServiceDefaults.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Dnet.Gateway.Limits;

/// <summary>
/// Per-client concurrency on the completion endpoints (ASP.NET Core's rate limiter, one concurrency limiter per
/// client, no queue): a client over <see cref="GatewayOptions.MaxConcurrentRequestsPerClient"/> gets 429 with
/// <c>Retry-After</c> and an OpenAI error object.
/// </summary>
internal static class ClientLimits
{
    public const string Policy = "per-client";

    public static IServiceCollection AddClientLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<GatewayOptions>>((limiter, gateway) =>
        {
            var perClient = gateway.Value.MaxConcurrentRequestsPerClient;
            limiter.AddPolicy(Policy, http => RateLimitPartition.GetConcurrencyLimiter(
                ApiKeyExtensions.ClientOf(http),
                _ => new ConcurrencyLimiterOptions { PermitLimit = perClient, QueueLimit = 0 }));
            limiter.OnRejected = (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                http.Response.Headers.RetryAfter = gateway.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return new ValueTask(OpenAiError.RateLimited(
                    $"Too many concurrent requests from this client: at most {perClient} may be open at once " +
                    "(Dnet:Gateway:MaxConcurrentRequestsPerClient). Retry when one has finished.",
                    "too_many_concurrent_requests").WriteAsync(http, StatusCodes.Status429TooManyRequests));
            };
        });
        services.AddRateLimiter(_ => { });
        return services;
    }
}
