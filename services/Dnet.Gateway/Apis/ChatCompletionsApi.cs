using Dnet.Gateway.Completions;
using Dnet.Gateway.Limits;
using Dnet.Gateway.OpenAi;

namespace Dnet.Gateway.Apis;

/// <summary>OpenAI Chat Completions: <c>POST /v1/chat/completions</c> (JSON or SSE).</summary>
internal static class ChatCompletionsApi
{
    public static IEndpointRouteBuilder MapChatCompletionsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/chat/completions", CreateAsync).RequireRateLimiting(ClientLimits.Policy);
        return app;
    }

    private static async Task CreateAsync(HttpContext http, CompletionEndpoint endpoint)
    {
        var arrival = RequestArrival.Now();
        var request = await ChatCompletionRequestReader.ReadAsync(http.Request, http.RequestAborted);
        var prompt = new PromptSource("messages", model => PromptBuilder.Chat(model, request.Messages));
        await endpoint.ServeAsync(http, arrival, request.Model, prompt, request.Options, ChatShape.Instance);
    }
}
