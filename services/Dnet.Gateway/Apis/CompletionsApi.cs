using Dnet.Gateway.Completions;
using Dnet.Gateway.Limits;
using Dnet.Gateway.OpenAi;

namespace Dnet.Gateway.Apis;

/// <summary>OpenAI legacy Completions: <c>POST /v1/completions</c> (a prompt string or token ids; JSON or SSE).</summary>
internal static class CompletionsApi
{
    public static IEndpointRouteBuilder MapCompletionsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/completions", CreateAsync).RequireRateLimiting(ClientLimits.Policy);
        return app;
    }

    private static async Task CreateAsync(HttpContext http, CompletionEndpoint endpoint)
    {
        var arrival = RequestArrival.Now();
        var request = await TextCompletionRequestReader.ReadAsync(http.Request, http.RequestAborted);
        var prompt = new PromptSource("prompt", model => request.PromptTokenIds is { } ids
            ? PromptBuilder.TokenIds(model, ids)
            : PromptBuilder.Text(model, request.Prompt!));
        await endpoint.ServeAsync(http, arrival, request.Model, prompt, request.Options, TextShape.Instance);
    }
}
