using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Dnet.ServiceDefaults.Http;

/// <summary>
/// The one error envelope of every public Dnet HTTP API (gateway, analytics, planner):
/// the OpenAI error object <c>{"error": {"message", "type", "param", "code"}}</c>, which OpenAI clients already parse.
/// </summary>
/// <param name="Error">What went wrong.</param>
public sealed record OpenAiError([property: JsonPropertyName("error")] OpenAiErrorBody Error)
{
    /// <summary>Type of a request the client must change (400, 401, 404, 408, 409, 413, 422).</summary>
    public const string InvalidRequestType = "invalid_request_error";

    /// <summary>Type of a request refused because of a limit (429).</summary>
    public const string RateLimitType = "rate_limit_error";

    /// <summary>Type of a failure on the server's side (500, 502, 503).</summary>
    public const string ServerType = "server_error";

    /// <summary>A bad request, naming the field at fault.</summary>
    /// <param name="message">For a person: what is wrong and what is accepted.</param>
    /// <param name="param">The body field, query parameter or header at fault, if any.</param>
    /// <param name="code">Machine-readable reason, e.g. <c>invalid_value</c>.</param>
    public static OpenAiError InvalidRequest(string message, string? param = null, string? code = null) =>
        new(new OpenAiErrorBody(message, InvalidRequestType, param, code));

    /// <summary>A request refused by a limit (too many requests or streams at once).</summary>
    /// <param name="message">Which limit and its value.</param>
    /// <param name="code">Machine-readable reason.</param>
    public static OpenAiError RateLimited(string message, string code) =>
        new(new OpenAiErrorBody(message, RateLimitType, null, code));

    /// <summary>A failure of the service or of one it depends on.</summary>
    /// <param name="message">What failed, without internals such as stack traces.</param>
    /// <param name="code">Machine-readable reason, e.g. <c>model_not_loaded</c>.</param>
    public static OpenAiError Server(string message, string code) =>
        new(new OpenAiErrorBody(message, ServerType, null, code));

    /// <summary>This error as a minimal-API result with <paramref name="status"/>.</summary>
    /// <param name="status">The HTTP status code.</param>
    public IResult ToResult(int status) => Results.Json(this, PublicJson.Options, PublicJson.ErrorContentType, status);

    /// <summary>Writes this error as the response with <paramref name="status"/> (the response must not have started).</summary>
    /// <param name="http">The request's context.</param>
    /// <param name="status">The HTTP status code.</param>
    public Task WriteAsync(HttpContext http, int status)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(this, PublicJson.Options, PublicJson.ErrorContentType, http.RequestAborted);
    }
}

/// <summary>The body of an <see cref="OpenAiError"/>.</summary>
/// <param name="Message">For a person: what went wrong and what to do.</param>
/// <param name="Type"><c>invalid_request_error</c>, <c>rate_limit_error</c> or <c>server_error</c>.</param>
/// <param name="Param">The field at fault, if any.</param>
/// <param name="Code">Machine-readable reason, if any.</param>
public sealed record OpenAiErrorBody(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] string? Code);
