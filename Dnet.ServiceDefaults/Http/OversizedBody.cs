using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Dnet.ServiceDefaults.Http;

/// <summary>
/// Answers a request whose body is over the cap with 413: at once when its Content-Length says so, before anything
/// parses it; while it is read when it is chunked. Most HTTP client
/// libraries send the whole body before they read an answer, so a body up to <see cref="HttpLimitsOptions.MaxDrainBytes"/>
/// is read and thrown away (in a 64 KiB buffer, never kept) for the client to see the 413 rather than a reset
/// connection; a client that asked <c>Expect: 100-continue</c>, or a bigger body, gets the answer at once and the
/// connection is closed.
/// </summary>
internal static class OversizedBody
{
    public static bool IsOver(HttpRequest request, HttpLimitsOptions limits) =>
        request.ContentLength is { } length && length > limits.MaxRequestBodyBytes && !IsGrpc(request);

    /// <summary>
    /// A body without a length (chunked) is capped while it is read (<see cref="CappedRequestBody"/>); Kestrel may
    /// read up to the drain limit so that the rest can be discarded before the 413.
    /// </summary>
    public static void CapUnannounced(HttpContext http, HttpLimitsOptions limits)
    {
        var mayHaveBody = HttpMethods.IsPost(http.Request.Method) || HttpMethods.IsPut(http.Request.Method) || HttpMethods.IsPatch(http.Request.Method);
        if (mayHaveBody && http.Request.ContentLength is null && !IsGrpc(http.Request)
            && http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } cap)
        {
            cap.MaxRequestBodySize = Math.Max(limits.MaxDrainBytes, limits.MaxRequestBodyBytes);
            http.Request.Body = new CappedRequestBody(http.Request.Body, limits.MaxRequestBodyBytes);
        }
    }

    /// <summary>Before a 413 is written for a capped body: drop the rest, or close the connection when that is too much.</summary>
    public static async Task DiscardRestAsync(HttpContext http)
    {
        if (http.Request.Body is CappedRequestBody capped && !await capped.DiscardRestAsync(http.RequestAborted))
        {
            http.Response.Headers[HeaderNames.Connection] = "close";
        }
    }

    private static bool IsGrpc(HttpRequest request) =>
        request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    public static async Task RefuseAsync(HttpContext http, HttpLimitsOptions limits)
    {
        var length = http.Request.ContentLength!.Value;
        var error = OpenAiError.InvalidRequest(
            $"The request body is {length} bytes; this service accepts at most {limits.MaxRequestBodyBytes} (Dnet:Http:MaxRequestBodyBytes).",
            null, "request_too_large");
        var waitsForContinue = http.Request.Headers.Expect.ToString().Contains("100-continue", StringComparison.OrdinalIgnoreCase);
        if (!waitsForContinue && length <= limits.MaxDrainBytes
            && http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } cap)
        {
            cap.MaxRequestBodySize = length;
            await DiscardAsync(http.Request.Body, http.RequestAborted);
        }
        else
        {
            http.Response.Headers[HeaderNames.Connection] = "close";
        }

        await error.WriteAsync(http, StatusCodes.Status413PayloadTooLarge);
    }

    private static async Task DiscardAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (await body.ReadAsync(buffer, cancellationToken) > 0)
            {
            }
        }
        catch (BadHttpRequestException)
        {
            // Too slow or malformed: answer what we know anyway.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
