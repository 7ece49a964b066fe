using System.Diagnostics;
using Dnet.Gateway.OpenAi;
using Dnet.Gateway.Ring;

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

    /// <summary>Starts the request; the returned span is the request's root and is ended by the caller.</summary>
    public async Task<(CompletionRun Run, Activity? Root, int PromptTokens)> StartAsync(
        ChatCompletionRequest request, string requestId, CancellationToken cancellationToken)
    {
        var model = RequireModel(request.Model);
        var root = DnetTelemetry.Source.StartActivity($"chat {model.Id}", ActivityKind.Server);
        root?.SetTag("gen_ai.operation.name", "chat");
        root?.SetTag("gen_ai.request.model", model.Id);
        root?.SetTag("gen_ai.response.id", requestId);
        root?.SetTag("dnet.request_id", requestId);
        root?.SetTag("gen_ai.request.max_tokens", request.MaxTokens);
        root?.SetTag("gen_ai.request.temperature", request.Temperature);
        root?.SetTag("gen_ai.request.top_p", request.TopP);
        try
        {
            int[] promptIds;
            int maxTokens;
            using (var tokenize = DnetTelemetry.Source.StartActivity("request.tokenize"))
            {
                (promptIds, maxTokens) = PromptBuilder.Build(model, request);
                tokenize?.SetTag("dnet.tokens", promptIds.Length);
            }

            root?.SetTag("gen_ai.usage.input_tokens", promptIds.Length);
            using (var wait = DnetTelemetry.Source.StartActivity("request.queue.wait"))
            {
                await _slots.WaitAsync(cancellationToken);
            }

            var run = new CompletionRun(model, router, request, requestId, promptIds, maxTokens, _stallTimeout, logger);
            return (run, root, promptIds.Length);
        }
        catch
        {
            root?.SetStatus(ActivityStatusCode.Error);
            root?.Dispose();
            throw;
        }
    }

    public void Release() => _slots.Release();
}
