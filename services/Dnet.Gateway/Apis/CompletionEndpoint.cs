using System.Diagnostics;
using System.Text;
using Dnet.Contracts.Tracing;
using Dnet.Gateway.Completions;
using Dnet.Gateway.Limits;
using Dnet.Gateway.OpenAi;
using Dnet.Gateway.Ring;
using Dnet.Gateway.Telemetry;
using Dnet.ServiceDefaults.Http;
using Dnet.ServiceDefaults.Tracing;
using Microsoft.Extensions.Options;

namespace Dnet.Gateway.Apis;

/// <summary>
/// Serves one validated completion request, chat or legacy alike: checks the model, opens the request's root span,
/// admits it to the ring and answers with one JSON object or an SSE stream in the API's <see cref="ICompletionShape"/>.
/// Errors before the answer starts are OpenAI error objects with their status; after a stream started they are a
/// <c>data: {"error": ...}</c> event followed by <c>data: [DONE]</c>.
/// </summary>
internal sealed class CompletionEndpoint(
    CompletionService completions,
    StreamSlots streams,
    GenAiServerMetrics metrics,
    RingAlarm alarm,
    IOptions<GatewayOptions> options,
    ILogger<CompletionEndpoint> logger)
{
    public async Task ServeAsync(
        HttpContext http, RequestArrival arrival, string requestedModel, PromptSource prompt, GenerationOptions generation, ICompletionShape shape)
    {
        Ring.DeployedModel model;
        try
        {
            model = await completions.RequireModelAsync(requestedModel, http.RequestAborted);
        }
        catch (RingUnavailableException exception)
        {
            // Written here, not thrown: the exception handler clears headers, and this answer needs Retry-After.
            http.Response.Headers.RetryAfter = exception.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await OpenAiError.Server($"The cluster cannot serve right now: {exception.Message}. See GET /v1/cluster/topology.", exception.Code)
                .WriteAsync(http, StatusCodes.Status503ServiceUnavailable);
            return;
        }

        var requestId = CompletionIds.For(http, shape.IdPrefix);
        if (generation.Stream && !streams.TryAcquire())
        {
            // Written here, not thrown: the exception handler clears headers, and this answer needs Retry-After.
            http.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await OpenAiError.RateLimited(
                $"Too many open streams: the gateway serves at most {streams.Capacity} at once (Dnet:Gateway:MaxOpenStreams). Retry shortly.",
                "too_many_streams").WriteAsync(http, StatusCodes.Status429TooManyRequests);
            return;
        }

        try
        {
            await RunAsync(http, arrival, model.ServedName, model, prompt, generation, shape, requestId);
        }
        finally
        {
            if (generation.Stream)
            {
                streams.Release();
            }
        }
    }

    private async Task RunAsync(
        HttpContext http, RequestArrival arrival, string servedName, Ring.DeployedModel model, PromptSource prompt, GenerationOptions generation,
        ICompletionShape shape, string requestId)
    {
        var cancellationToken = http.RequestAborted;
        // The root starts when the request arrived, so TTFT measured from it includes reading the body.
        using var root = shape.StartRoot(servedName, requestId);
        root?.SetStartTime(arrival.ReceivedAt);
        root?.SetTag("http.request.header.x-request-id", RequestIds.Of(http));
        using (var receive = DnetFrames.Start(FrameNames.RequestReceive))
        {
            receive?.SetStartTime(arrival.ReceivedAt);
            receive?.SetTag(SpanAttributes.RequestId, requestId);
        }

        var telemetry = new RequestTelemetry(metrics, new RequestMeterTags(shape.Operation, servedName), requestId, arrival.Timestamp);
        CompletionRun run;
        try
        {
            run = await completions.StartAsync(model, prompt, generation, requestId, root, cancellationToken);
        }
        catch (OpenAiException exception)
        {
            root?.SetStatus(ActivityStatusCode.Error, exception.Message);
            telemetry.Failed(exception.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            throw;
        }

        var header = new CompletionHeader(requestId, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), servedName, generation.Logprobs is not null);
        var sse = generation.Stream ? new SseStream(http, options.Value.ClientWriteTimeout) : null;
        try
        {
            var finished = sse is null
                ? await RespondAsync(http, run, shape, header, telemetry, cancellationToken)
                : await StreamAsync(sse, run, shape, header, telemetry, generation.IncludeUsage, cancellationToken);
            root?.SetTag(SpanAttributes.OutputTokens, finished?.Usage.CompletionTokens);
            root?.SetTag(SpanAttributes.FinishReasons, finished is null ? null : new[] { finished.FinishReason });
        }
        catch (RingFailureException exception)
        {
            root?.SetStatus(ActivityStatusCode.Error, exception.Message);
            telemetry.Failed("shard_unavailable");
            // The supervisor probes the ring now rather than at its next tick: a shard is likely gone.
            alarm.Raise(exception.Message);
            logger.LogWarning("Request {RequestId} failed: {Error}", requestId, exception.Message);
            var error = OpenAiError.Server($"The cluster could not complete the request: {exception.Message}", "shard_unavailable");
            if (sse is not null && http.Response.HasStarted)
            {
                await WriteStreamErrorAsync(sse, error, requestId);
            }
            else
            {
                await error.WriteAsync(http, StatusCodes.Status503ServiceUnavailable);
            }
        }
        catch (ClientStalledException exception)
        {
            root?.SetStatus(ActivityStatusCode.Error, exception.Message);
            telemetry.Failed("client_stalled");
            logger.LogInformation("Request {RequestId} cancelled: {Reason}", requestId, exception.Message);
            http.Abort();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            root?.SetStatus(ActivityStatusCode.Error, "client disconnected");
            telemetry.Failed("client_disconnected");
            logger.LogInformation("Request {RequestId} cancelled: the client disconnected", requestId);
        }
        finally
        {
            completions.Release();
        }
    }

    /// <summary>
    /// One JSON body at the end. There is no earlier write, so a token counts as emitted as soon as its text is final
    /// (held-back text is final with a later token).
    /// </summary>
    private static async Task<CompletionFinished?> RespondAsync(
        HttpContext http, CompletionRun run, ICompletionShape shape, CompletionHeader header, RequestTelemetry telemetry, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var logprobs = new List<TokenLogprobEntry>();
        CompletionFinished? finished = null;
        await foreach (var item in run.RunAsync(cancellationToken))
        {
            switch (item)
            {
                case TextEmitted emitted:
                    telemetry.Produced();
                    text.Append(emitted.Text);
                    logprobs.AddRange(emitted.Logprobs);
                    if (emitted.Text.Length > 0)
                    {
                        telemetry.Written();
                    }

                    break;
                case CompletionFinished done:
                    finished = done;
                    break;
            }
        }

        var body = shape.Whole(header, text.ToString(), logprobs, finished!);
        // Recorded before the client can see the end, so a scrape right after the response already counts it.
        telemetry.Completed(finished!.FinishReason, finished.Usage.PromptTokens, finished.Usage.CompletionTokens);
        await http.Response.WriteAsJsonAsync(body, body.GetType(), PublicJson.Options, cancellationToken);
        return finished;
    }

    /// <summary>Server-sent events; a token counts as emitted once the chunk carrying its text is flushed.</summary>
    private static async Task<CompletionFinished?> StreamAsync(
        SseStream sse, CompletionRun run, ICompletionShape shape, CompletionHeader header, RequestTelemetry telemetry, bool includeUsage,
        CancellationToken cancellationToken)
    {
        sse.Start();
        if (shape.Opening(header) is { } opening)
        {
            await sse.DataAsync(opening);
        }

        CompletionFinished? finished = null;
        var offset = 0;
        await foreach (var item in run.RunAsync(cancellationToken))
        {
            switch (item)
            {
                case TextEmitted emitted:
                    telemetry.Produced();
                    if (emitted.Text.Length > 0 || emitted.Logprobs.Count > 0)
                    {
                        await sse.DataAsync(shape.Piece(header, emitted, offset));
                        offset += emitted.Text.Length;
                        telemetry.Written();
                    }

                    break;
                case CompletionFinished done:
                    finished = done;
                    await sse.DataAsync(shape.Finish(header, done.FinishReason));
                    if (includeUsage)
                    {
                        await sse.DataAsync(shape.UsageChunk(header, done.Usage));
                    }

                    break;
            }
        }

        // Recorded before [DONE], so a scrape right after the client saw the end already counts the request.
        if (finished is not null)
        {
            telemetry.Completed(finished.FinishReason, finished.Usage.PromptTokens, finished.Usage.CompletionTokens);
        }

        await sse.DoneAsync();

        return finished;
    }

    private async Task WriteStreamErrorAsync(SseStream sse, OpenAiError error, string requestId)
    {
        try
        {
            await sse.ErrorAsync(error);
        }
        catch (Exception exception) when (exception is ClientStalledException or OperationCanceledException or IOException)
        {
            logger.LogDebug("Request {RequestId}: the client left before the error could be sent ({Error})", requestId, exception.Message);
        }
    }
}
