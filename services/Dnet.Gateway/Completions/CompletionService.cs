using System.Diagnostics;
using Dnet.Contracts.Tracing;
using Dnet.Gateway.OpenAi;
using Dnet.Gateway.Ring;
using Dnet.ServiceDefaults.Tracing;

namespace Dnet.Gateway.Completions;

/// <summary>
/// Admits a validated request to the ring: checks the model, builds the prompt, waits for a slot, opens the request's
/// root span (OpenTelemetry GenAI conventions) and starts a <see cref="CompletionRun"/>.
/// </summary>
internal sealed class CompletionService(
    ModelDeployment deployment,
    RequestRouter router,
    IConfiguration configuration,
    ILogger<CompletionService> logger)
{
    private readonly SemaphoreSlim _slots = new(configuration.GetValue("Dnet:Gateway:MaxConcurrentRequests", 16));
    private readonly TimeSpan _stallTimeout = configuration.GetValue("Dnet:Gateway:StallTimeout", TimeSpan.FromSeconds(8));

    public DeployedModel RequireModel(string requested)
    {
        var model = deployment.Current ?? throw new OpenAiException(StatusCodes.Status503ServiceUnavailable,
            OpenAiError.Unavailable(
                $"No model is loaded yet{(deployment.LastError is { } error ? $" (last attempt failed: {error})" : "")}; see GET /v1/cluster/topology.",
                "model_not_loaded"));
        return requested == model.Id
            ? model
            : throw new OpenAiException(StatusCodes.Status404NotFound,
                OpenAiError.NotFound($"The model '{requested}' does not exist; this cluster serves '{model.Id}'.", "model"));
    }

    /// <summary>
    /// Tokenizes and waits for a slot; the frames it opens are children of <paramref name="root"/>, the request's span.
    /// </summary>
    public async Task<CompletionRun> StartAsync(
        ChatCompletionRequest request, DeployedModel model, string requestId, Activity? root, CancellationToken cancellationToken)
    {
        root?.SetTag("gen_ai.request.max_tokens", request.MaxTokens);
        root?.SetTag("gen_ai.request.temperature", request.Temperature);
        root?.SetTag("gen_ai.request.top_p", request.TopP);
        int[] promptIds;
        int maxTokens;
        using (var tokenize = DnetFrames.Start(FrameNames.RequestTokenize))
        {
            tokenize?.SetTag(SpanAttributes.RequestId, requestId);
            (promptIds, maxTokens) = PromptBuilder.Build(model, request);
            tokenize?.SetTag(SpanAttributes.Tokens, promptIds.Length);
        }

        root?.SetTag(SpanAttributes.InputTokens, promptIds.Length);
        using (var queued = DnetFrames.Start(FrameNames.RequestQueueWait))
        {
            queued?.SetTag(SpanAttributes.RequestId, requestId);
            await _slots.WaitAsync(cancellationToken);
        }

        return new CompletionRun(model, router, request, requestId, promptIds, maxTokens, _stallTimeout, logger);
    }

    public void Release() => _slots.Release();
}
