using System.Diagnostics;
using Dnet.Contracts.Tracing;
using Dnet.Gateway.Limits;
using Dnet.Gateway.Ring;
using Dnet.ServiceDefaults.Http;
using Dnet.ServiceDefaults.Tracing;
using Microsoft.Extensions.Options;

namespace Dnet.Gateway.Completions;

/// <summary>
/// Admits a validated request to the ring, whichever API it came through: checks the model, tokenizes the prompt
/// and checks it against the model, waits for a ring slot and starts a <see cref="CompletionRun"/>.
/// </summary>
internal sealed class CompletionService(
    ModelDeployment deployment,
    RingStatus ring,
    RequestRouter router,
    IOptions<GatewayOptions> options,
    ILogger<CompletionService> logger)
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentRequests);

    /// <summary>
    /// The deployed model if <paramref name="requested"/> names it (404 for another name). While the ring starts or is
    /// re-planned the request waits up to <c>Dnet:Gateway:ReplanWait</c>; a ring that is down or unloaded, or still
    /// not serving after that, is a <see cref="RingUnavailableException"/> (503 with Retry-After).
    /// </summary>
    public async Task<DeployedModel> RequireModelAsync(string requested, CancellationToken cancellationToken)
    {
        var model = await ring.AwaitServingAsync(deployment, options.Value.ReplanWait, cancellationToken);
        return requested == model.ServedName
            ? model
            : throw OpenAiException.NotFound($"The model '{requested}' does not exist; this cluster serves '{model.ServedName}'.", "model", "model_not_found");
    }

    /// <summary>
    /// Tokenizes the prompt (<c>messages</c> or <c>prompt</c>, named in errors) and waits for a slot; the frames it
    /// opens are children of <c>root</c>, the request's span. Release the slot with <see cref="Release"/> once the run has ended.
    /// </summary>
    public async Task<CompletionRun> StartAsync(
        DeployedModel model, PromptSource prompt, GenerationOptions generation, string requestId, Activity? root, CancellationToken cancellationToken)
    {
        root?.SetTag("gen_ai.request.max_tokens", generation.MaxTokens);
        root?.SetTag("gen_ai.request.temperature", generation.Temperature);
        root?.SetTag("gen_ai.request.top_p", generation.TopP);
        int[] promptIds;
        int maxTokens;
        using (var tokenize = DnetFrames.Start(FrameNames.RequestTokenize))
        {
            tokenize?.SetTag(SpanAttributes.RequestId, requestId);
            promptIds = prompt.Tokenize(model);
            tokenize?.SetTag(SpanAttributes.Tokens, promptIds.Length);
            maxTokens = PromptBuilder.MaxNewTokens(model, promptIds, generation, options.Value.MaxPromptTokens, prompt.Param);
        }

        root?.SetTag(SpanAttributes.InputTokens, promptIds.Length);
        using (var queued = DnetFrames.Start(FrameNames.RequestQueueWait))
        {
            queued?.SetTag(SpanAttributes.RequestId, requestId);
            await _slots.WaitAsync(cancellationToken);
        }

        return new CompletionRun(model, router, generation, requestId, promptIds, maxTokens, options.Value.StallTimeout, options.Value.MaxRingWait, logger);
    }

    public void Release() => _slots.Release();
}

/// <summary>A request's prompt: the field it came from and how it becomes token ids for a model.</summary>
internal sealed record PromptSource(string Param, Func<DeployedModel, int[]> Tokenize);
