using System.Text.Json.Serialization;

namespace Dnet.Gateway.OpenAi;

/// <summary>The OpenAI error object: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
internal sealed record OpenAiError([property: JsonPropertyName("error")] OpenAiErrorBody Error)
{
    public static OpenAiError InvalidRequest(string message, string? param = null, string? code = null) =>
        new(new OpenAiErrorBody(message, "invalid_request_error", param, code));

    public static OpenAiError NotFound(string message, string? param = null, string? code = null) =>
        new(new OpenAiErrorBody(message, "invalid_request_error", param, code ?? "model_not_found"));

    public static OpenAiError Unavailable(string message, string code) =>
        new(new OpenAiErrorBody(message, "service_unavailable", null, code));

    public static OpenAiError Server(string message, string code) =>
        new(new OpenAiErrorBody(message, "server_error", null, code));
}

/// <summary>The body of <see cref="OpenAiError"/>.</summary>
internal sealed record OpenAiErrorBody(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] string? Code);

/// <summary>Bad input, carrying the status and error object it is answered with.</summary>
internal sealed class OpenAiException(int status, OpenAiError error) : Exception(error.Error.Message)
{
    public int Status { get; } = status;

    public OpenAiError Error { get; } = error;

    public static OpenAiException BadRequest(string message, string? param = null, string? code = null) =>
        new(StatusCodes.Status400BadRequest, OpenAiError.InvalidRequest(message, param, code));
}
