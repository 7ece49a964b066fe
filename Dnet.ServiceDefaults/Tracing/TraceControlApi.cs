using System.Text.Json;
using Dnet.Contracts.Tracing;
using Dnet.ServiceDefaults.Http;
using Dnet.ServiceDefaults.Tracing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The run-time trace control endpoints: <c>GET /v1/trace</c> (this node's state and exporter counters) and
/// <c>POST /v1/trace</c> (<c>{"enabled": bool, "include_prefixes": [...]}</c>, applied on every node through Redis
/// within a second). Mapped by the gateway; needs <see cref="TracingExtensions.AddDnetTracing{TBuilder}"/>.
/// </summary>
public static class TraceControlApi
{
    private const string Path = "/v1/trace";

    /// <summary>Maps <c>GET</c> and <c>POST /v1/trace</c>.</summary>
    /// <param name="app">The endpoint builder (a <see cref="WebApplication"/>).</param>
    public static IEndpointRouteBuilder MapTraceControlApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, (HttpContext http) => Status(http.RequestServices, http.RequestServices.GetRequiredService<FrameGate>().Current));
        app.MapPost(Path, (Delegate)ChangeAsync);
        return app;
    }

    private static async Task<IResult> ChangeAsync(HttpContext http)
    {
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Error(StatusCodes.Status400BadRequest, OpenAiError.InvalidRequestType, new ApiError("The request body is not valid JSON.", null));
        }

        if (!TraceControlRequest.TryParse(body, out var state, out var error))
        {
            return Error(StatusCodes.Status400BadRequest, OpenAiError.InvalidRequestType, error);
        }

        var services = http.RequestServices;
        try
        {
            var applied = await services.GetRequiredService<TraceControlStore>().ChangeAsync(state);
            return Status(services, applied);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            services.GetRequiredService<ILogger<TraceControlStore>>().LogWarning(exception, "Trace control change not stored");
            return Error(
                StatusCodes.Status503ServiceUnavailable,
                OpenAiError.ServerType,
                new ApiError("Redis is unavailable: the trace control change was not applied on any node.", null));
        }
    }

    private static IResult Status(IServiceProvider services, TraceControlMessage control)
    {
        var node = services.GetRequiredService<NodeIdentity>();
        var counters = services.GetRequiredService<SpanExportCounters>();
        var sink = services.GetRequiredService<TraceControlStore>().Shared ? "redis" : "none";
        var status = new TraceStatus(node.Node, control.State.Enabled, control.State.IncludePrefixes, control.Revision, counters.Snapshot(sink));
        return Results.Json(status, TracingJsonContext.Default.TraceStatus);
    }

    private static IResult Error(int statusCode, string type, ApiError error) =>
        new OpenAiError(new OpenAiErrorBody(error.Message, type, error.Param, null)).ToResult(statusCode);
}
