using System.Text;
using System.Text.Json;
using Dnet.Contracts.Tracing;
using Dnet.ServiceDefaults.Http;
using Dnet.ServiceDefaults.Tracing;

namespace Dnet.Gateway.Apis;

/// <summary>
/// Server-sent events to one client, each write bounded by a timeout: a client that stops reading (its socket
/// buffers full) makes a write wait, and past <c>Dnet:Gateway:ClientWriteTimeout</c> the stream gives up with
/// <see cref="ClientStalledException"/> so that the request is cancelled and its ring slot and KV cache freed.
/// </summary>
internal sealed class SseStream(HttpContext http, TimeSpan writeTimeout)
{
    private const string Done = "data: [DONE]\n\n";

    public void Start()
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        // Tells proxies such as nginx not to buffer the stream.
        http.Response.Headers["X-Accel-Buffering"] = "no";
    }

    public Task DataAsync(object payload) => WriteAsync($"data: {JsonSerializer.Serialize(payload, payload.GetType(), PublicJson.Options)}\n\n");

    public Task DoneAsync() => WriteAsync(Done);

    /// <summary>
    /// An error after the stream has started: <c>data: {"error": {...}}</c> then <c>data: [DONE]</c>, which the
    /// OpenAI SDKs read as an error (Python, JavaScript) or as a last update carrying an <c>error</c> property (.NET).
    /// </summary>
    public async Task ErrorAsync(OpenAiError error)
    {
        await WriteAsync($"data: {JsonSerializer.Serialize(error, PublicJson.Options)}\n\n");
        await WriteAsync(Done);
    }

    private async Task WriteAsync(string text)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(writeTimeout);
        using var send = DnetFrames.Start(FrameNames.NetworkClientSend);
        send?.SetTag(SpanAttributes.Bytes, Encoding.UTF8.GetByteCount(text));
        try
        {
            await http.Response.WriteAsync(text, deadline.Token);
            await http.Response.Body.FlushAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            throw new ClientStalledException(writeTimeout);
        }
    }
}

/// <summary>The client did not take a streamed chunk in time.</summary>
internal sealed class ClientStalledException(TimeSpan timeout)
    : Exception($"the client did not read the stream for {timeout.TotalSeconds:0.#} s");
