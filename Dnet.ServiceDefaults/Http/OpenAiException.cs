using Microsoft.AspNetCore.Http;

namespace Dnet.ServiceDefaults.Http;

/// <summary>
/// A request answered with an <see cref="OpenAiError"/>: thrown where the problem is found (deep in validation),
/// written by the endpoint or, uncaught, by the service defaults' exception handler.
/// </summary>
/// <param name="status">The HTTP status code.</param>
/// <param name="error">The error object.</param>
public sealed class OpenAiException(int status, OpenAiError error) : Exception(error?.Error.Message)
{
    /// <summary>The HTTP status code.</summary>
    public int Status { get; } = status;

    /// <summary>The error object.</summary>
    public OpenAiError Error { get; } = error ?? throw new ArgumentNullException(nameof(error));

    /// <summary>A 400 naming the field at fault.</summary>
    /// <param name="message">What is wrong and what is accepted.</param>
    /// <param name="param">The field at fault.</param>
    /// <param name="code">Machine-readable reason.</param>
    public static OpenAiException BadRequest(string message, string? param = null, string? code = null) =>
        new(StatusCodes.Status400BadRequest, OpenAiError.InvalidRequest(message, param, code));

    /// <summary>A 404 for an unknown resource.</summary>
    /// <param name="message">What was not found.</param>
    /// <param name="param">The field or path segment naming it.</param>
    /// <param name="code">Machine-readable reason.</param>
    public static OpenAiException NotFound(string message, string? param, string code) =>
        new(StatusCodes.Status404NotFound, OpenAiError.InvalidRequest(message, param, code));
}
