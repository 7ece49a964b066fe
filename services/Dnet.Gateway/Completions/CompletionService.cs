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
    RingStatus ring,
    RequestRouter router,
    IConfiguration configuration,
    ILogger<CompletionService> logger)
{
    private readonly SemaphoreSlim _slots = new(configuration.GetValue("Dnet:Gateway:MaxConcurrentRequests", 16));
    private readonly TimeSpan _stallTimeout = configuration.GetValue("Dnet:Gateway:StallTimeout", TimeSpan.FromSeconds(8));
    private readonly TimeSpan _replanWait = configuration.GetValue("Dnet:Gateway:ReplanWait", TimeSpan.FromSeconds(20));

    /// <summary>
    /// The deployed model if <paramref name="requested"/> names it (404 for another name). While the ring starts or is
    /// re-planned the request waits up to <c>Dnet:Gateway:ReplanWait</c>; a ring that is down or unloaded, or still
    /// not serving after that, is a <see cref="RingUnavailableException"/> (503 with Retry-After).
    /// </summary>
    public async Task<DeployedModel> RequireModelAsync(string requested, CancellationToken cancellationToken)
    {
        var model = await ring.AwaitServingAsync(deployment, _replanWait, cancellationToken);
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
