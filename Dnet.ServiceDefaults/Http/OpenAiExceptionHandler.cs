using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Dnet.ServiceDefaults.Http;

/// <summary>
/// Turns an exception that escaped an endpoint into an OpenAI error object, never a stack trace:
/// <see cref="OpenAiException"/> keeps its status and error; Kestrel's <see cref="BadHttpRequestException"/> (body
/// too large, upload too slow, malformed request) keeps its 4xx; anything else is a 500 that names the request id to
/// look for in the logs.
/// </summary>
internal sealed class OpenAiExceptionHandler(ILogger<OpenAiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (http.RequestAborted.IsCancellationRequested)
        {
            // The client left (or a caller's timeout gave up): nobody reads an answer, and nothing failed on our side.
            logger.LogDebug("Request {RequestId} ended because the client went away ({Exception})", RequestIds.Of(http), exception.GetType().Name);
            return true;
        }

        var (status, error) = ErrorOf(http, exception);
        if (status >= 500)
        {
            logger.LogError(exception, "Request {RequestId} failed", RequestIds.Of(http));
        }
        else
        {
            logger.LogInformation("Request {RequestId} refused with {Status}: {Message}", RequestIds.Of(http), status, error.Error.Message);
        }

        if (http.Response.HasStarted)
        {
            return false;
        }

        if (status == StatusCodes.Status413PayloadTooLarge)
        {
            await OversizedBody.DiscardRestAsync(http);
        }

        http.Response.StatusCode = status;
        await http.Response.WriteAsJsonAsync(error, PublicJson.Options, PublicJson.ErrorContentType, cancellationToken);
        return true;
    }

    /// <summary>The status and error object an exception is answered with.</summary>
    public static (int Status, OpenAiError Error) ErrorOf(HttpContext http, Exception exception) => exception switch
    {
        OpenAiException known => (known.Status, known.Error),
        BadHttpRequestException bad => (bad.StatusCode, OpenAiError.InvalidRequest(Describe(bad), null, CodeOf(bad.StatusCode))),
        _ => (StatusCodes.Status500InternalServerError,
            OpenAiError.Server($"Internal error; request id {RequestIds.Of(http)} identifies it in the service's log.", "internal_error")),
    };

    /// <summary>Kestrel's messages are for server logs; these say what the client can change.</summary>
    private static string Describe(BadHttpRequestException exception) => exception.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => "The request body is larger than this service accepts (Dnet:Http:MaxRequestBodyBytes).",
        StatusCodes.Status408RequestTimeout => "The request body arrived too slowly; send it at a steady rate.",
        _ => $"The request could not be read: {exception.Message}",
    };

    private static string CodeOf(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "request_too_large",
        StatusCodes.Status408RequestTimeout => "request_timeout",
        _ => "invalid_request",
    };
}
