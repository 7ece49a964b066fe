using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dnet.ServiceDefaults.Http;

/// <summary>
/// The HTTP policy every Dnet service shares, registered by
/// <see cref="Microsoft.Extensions.Hosting.Extensions.AddServiceDefaults{TBuilder}"/>: snake_case JSON, the OpenAI
/// error object for every error (exceptions, Kestrel's 408/413, unmatched routes), <c>x-request-id</c> on every
/// response, and Kestrel limits from <c>Dnet:Http:*</c>.
/// </summary>
public static class PublicHttpExtensions
{
    /// <summary>Registers the policy; the middleware goes in front of the service's own by a startup filter.</summary>
    /// <param name="builder">The host builder.</param>
    public static TBuilder AddPublicHttp<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.Configure<HttpLimitsOptions>(builder.Configuration.GetSection(HttpLimitsOptions.Section));
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<HttpLimitsOptions>>((kestrel, limits) =>
        {
            var value = limits.Value;
            kestrel.Limits.MaxRequestBodySize = value.MaxRequestBodyBytes;
            kestrel.Limits.RequestHeadersTimeout = value.RequestHeadersTimeout;
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(value.MinRequestBodyBytesPerSecond, value.MinRequestBodyGracePeriod);
        });
        services.ConfigureHttpJsonOptions(json => PublicJson.Apply(json.SerializerOptions));
        services.AddExceptionHandler<OpenAiExceptionHandler>();
        services.AddProblemDetails();
        services.AddTransient<IStartupFilter, PublicHttpStartupFilter>();
        return builder;
    }

    /// <summary>Outermost middleware: request id, then errors as OpenAI objects, then the body cap.</summary>
    private sealed class PublicHttpStartupFilter(IOptions<HttpLimitsOptions> limits) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, nextMiddleware) =>
            {
                RequestIds.Assign(http);
                return nextMiddleware(http);
            });
            app.UseExceptionHandler();
            app.UseStatusCodePages(context => WriteStatusAsync(context.HttpContext));
            app.Use((http, nextMiddleware) =>
            {
                if (OversizedBody.IsOver(http.Request, limits.Value))
                {
                    return OversizedBody.RefuseAsync(http, limits.Value);
                }

                OversizedBody.CapUnannounced(http, limits.Value);
                return nextMiddleware(http);
            });
            next(app);
        };

        /// <summary>An empty error response (no route, wrong method) gets the error object too.</summary>
        private static Task WriteStatusAsync(HttpContext http)
        {
            var status = http.Response.StatusCode;
            var error = status switch
            {
                StatusCodes.Status404NotFound => OpenAiError.InvalidRequest(
                    $"Unknown endpoint {http.Request.Method} {http.Request.Path}; see the service's README for its API.", null, "unknown_url"),
                StatusCodes.Status405MethodNotAllowed => OpenAiError.InvalidRequest(
                    $"{http.Request.Path} does not take {http.Request.Method}.", null, "method_not_allowed"),
                >= 500 => OpenAiError.Server($"The service failed (HTTP {status}).", "internal_error"),
                _ => OpenAiError.InvalidRequest($"The request was refused (HTTP {status}).", null, null),
            };
            return error.WriteAsync(http, status);
        }
    }
}
