using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Dnet.Contracts.Tracing;
using Dnet.Gateway.Completions;
using Dnet.Gateway.OpenAi;
using Dnet.Gateway.Ring;
using Dnet.Gateway.Telemetry;
using Dnet.ServiceDefaults.Tracing;

namespace Dnet.Gateway.Apis;

/// <summary>OpenAI Chat Completions: <c>POST /v1/chat/completions</c> (JSON or SSE) and <c>GET /v1/models</c>.</summary>
internal static class ChatCompletionsApi
{
    public static IEndpointRouteBuilder MapChatCompletionsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/chat/completions", CreateAsync);
        app.MapGet("/v1/models", (ModelDeployment deployment) =>
            Results.Json(new ModelList(deployment.Current is { } model
                ? [new ModelCard(model.Id, model.LoadedAt.ToUnixTimeSeconds(), "dnet")]
                : []), OpenAiJson.Options));
        return app;
    }

    private static async Task CreateAsync(
        HttpContext http, CompletionService completions, GenAiServerMetrics metrics, RingAlarm alarm, ILogger<CompletionService> logger)
    {
        var cancellationToken = http.RequestAborted;
        var receivedAt = DateTime.UtcNow;
        var received = Stopwatch.GetTimestamp();
        var requestId = $"chatcmpl-{Guid.NewGuid():N}";
        ChatCompletionRequest request;
        DeployedModel model;
        try
        {
            request = await ChatCompletionRequestReader.ReadAsync(http.Request, cancellationToken);
            model = await completions.RequireModelAsync(request.Model, cancellationToken);
        }
        catch (OpenAiException exception)
        {
            await WriteErrorAsync(http, exception, cancellationToken);
            return;
        }
        catch (RingUnavailableException exception)
        {
            http.Response.Headers.RetryAfter = exception.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await WriteErrorAsync(http, new OpenAiException(StatusCodes.Status503ServiceUnavailable,
                OpenAiError.Unavailable($"The cluster cannot serve right now: {exception.Message}. See GET /v1/cluster/topology.", exception.Code)), cancellationToken);
            return;
        }

        // The root starts when the request arrived, so TTFT measured from it includes reading the body.
        using var root = DnetFrames.StartChat(model.Id, requestId);
        root?.SetStartTime(receivedAt);
        using (var receive = DnetFrames.Start(FrameNames.RequestReceive))
        {
            receive?.SetStartTime(receivedAt);
            receive?.SetTag(SpanAttributes.RequestId, requestId);
        }

        var telemetry = new RequestTelemetry(metrics, new RequestMeterTags(SpanAttributes.ChatOperation, model.Id), requestId, received);
        CompletionRun run;
        try
        {
            run = await completions.StartAsync(request, model, requestId, root, cancellationToken);
        }
        catch (OpenAiException exception)
        {
            root?.SetStatus(ActivityStatusCode.Error, exception.Message);
            telemetry.Failed(exception.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await WriteErrorAsync(http, exception, cancellationToken);
            return;
        }

        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        try
        {
            var finished = request.Stream
                ? await StreamAsync(http, request, run, telemetry, requestId, created, cancellationToken)
                : await RespondAsync(http, request, run, telemetry, requestId, created, cancellationToken);
            root?.SetTag(SpanAttributes.OutputTokens, finished?.Usage.CompletionTokens);
            root?.SetTag(SpanAttributes.FinishReasons, finished is null ? null : new[] { finished.FinishReason });
        }
        catch (RingFailureException exception)
        {
            root?.SetStatus(ActivityStatusCode.Error, exception.Message);
            telemetry.Failed("shard_unavailable");
            alarm.Raise(exception.Message);
            logger.LogWarning("Request {RequestId} failed: {Error}", requestId, exception.Message);
            await WriteFailureAsync(http, request.Stream, exception.Message);
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

    private static async Task WriteErrorAsync(HttpContext http, OpenAiException exception, CancellationToken cancellationToken)
    {
        http.Response.StatusCode = exception.Status;
        await http.Response.WriteAsJsonAsync(exception.Error, OpenAiJson.Options, cancellationToken);
    }

    /// <summary>
    /// One JSON body at the end. There is no earlier write, so a token counts as emitted as soon as its text is final
    /// (held-back text is final with a later token).
    /// </summary>
    private static async Task<CompletionFinished?> RespondAsync(
        HttpContext http, ChatCompletionRequest request, CompletionRun run, RequestTelemetry telemetry, string requestId, long created,
        CancellationToken cancellationToken)
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

        var choice = new ChatChoice(0, new AssistantMessage(text.ToString()), request.Logprobs ? new ChoiceLogprobs(logprobs) : null, finished!.FinishReason);
        await http.Response.WriteAsJsonAsync(new ChatCompletion(requestId, created, request.Model, [choice], finished.Usage), OpenAiJson.Options, cancellationToken);
        telemetry.Completed(finished.FinishReason, finished.Usage.PromptTokens, finished.Usage.CompletionTokens);
        return finished;
    }

    /// <summary>Server-sent events; a token counts as emitted once the chunk carrying its text is flushed.</summary>
    private static async Task<CompletionFinished?> StreamAsync(
        HttpContext http, ChatCompletionRequest request, CompletionRun run, RequestTelemetry telemetry, string requestId, long created,
        CancellationToken cancellationToken)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        await WriteEventAsync(http, Chunk(new ChunkChoice(0, new Delta("assistant", ""), null, null)), cancellationToken);

        CompletionFinished? finished = null;
        await foreach (var item in run.RunAsync(cancellationToken))
        {
            switch (item)
            {
                case TextEmitted emitted:
                    telemetry.Produced();
                    if (emitted.Text.Length > 0 || emitted.Logprobs.Count > 0)
                    {
                        var logprobs = request.Logprobs ? new ChoiceLogprobs(emitted.Logprobs) : null;
                        await WriteEventAsync(http, Chunk(new ChunkChoice(0, new Delta(null, emitted.Text), logprobs, null)), cancellationToken);
                        telemetry.Written();
                    }

                    break;
                case CompletionFinished done:
                    finished = done;
                    await WriteEventAsync(http, Chunk(new ChunkChoice(0, new Delta(null, null), null, done.FinishReason)), cancellationToken);
                    if (request.IncludeUsage)
                    {
                        await WriteEventAsync(http, new ChatCompletionChunk(requestId, created, request.Model, [], done.Usage), cancellationToken);
                    }

                    break;
            }
        }

        await http.Response.WriteAsync("data: [DONE]\n\n", cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
        if (finished is not null)
        {
            telemetry.Completed(finished.FinishReason, finished.Usage.PromptTokens, finished.Usage.CompletionTokens);
        }

        return finished;

        ChatCompletionChunk Chunk(ChunkChoice choice) => new(requestId, created, request.Model, [choice], null);
    }

    private static async Task WriteEventAsync<T>(HttpContext http, T payload, CancellationToken cancellationToken)
    {
        var data = $"data: {JsonSerializer.Serialize(payload, OpenAiJson.Options)}\n\n";
        using var send = DnetFrames.Start(FrameNames.NetworkClientSend);
        send?.SetTag(SpanAttributes.Bytes, Encoding.UTF8.GetByteCount(data));
        await http.Response.WriteAsync(data, cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
    }

    private static async Task WriteFailureAsync(HttpContext http, bool streaming, string message)
    {
        var error = OpenAiError.Server($"The cluster could not complete the request: {message}", "shard_unavailable");
        if (streaming && http.Response.HasStarted)
        {
            await http.Response.WriteAsync($"event: error\ndata: {JsonSerializer.Serialize(error, OpenAiJson.Options)}\n\n");
            return;
        }

        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        await http.Response.WriteAsJsonAsync(error, OpenAiJson.Options);
    }
}
