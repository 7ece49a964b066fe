using System.Text.Json;
using Dnet.ServiceDefaults.Http;

namespace Dnet.Gateway.OpenAi;

/// <summary>
/// Reads and validates a legacy <c>POST /v1/completions</c> body: one prompt (a string, or token ids), the sampling
/// fields shared with chat, and the legacy <c>logprobs</c> integer. Batches of prompts, <c>echo</c>, <c>suffix</c>
/// and <c>best_of</c> are refused with the reason.
/// </summary>
internal static class TextCompletionRequestReader
{
    /// <summary>The legacy API's default; unlike chat, an absent max_tokens does not mean "up to the context".</summary>
    public const int DefaultMaxTokens = 16;

    private static readonly FieldRules Fields = new FieldRules("POST /v1/completions")
        .Read(GenerationOptionsReader.Fields)
        .Read("model", "prompt", "logprobs")
        .Ignore(JsonValueKind.String, "user")
        .Only("echo", value => value.ValueKind == JsonValueKind.False, "is not supported when true: Dnet returns only the completion, not the prompt")
        .Only("suffix", value => value.ValueKind == JsonValueKind.String && value.GetString()!.Length == 0,
            "is not supported: Dnet has no fill-in-the-middle insertion")
        .Only("best_of", value => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n == 1,
            "is not supported above 1: Dnet generates one candidate per request");

    public static async Task<TextCompletionRequest> ReadAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        using var document = await RequestBody.ReadObjectAsync(http, cancellationToken);
        return Read(document.RootElement);
    }

    public static TextCompletionRequest Read(JsonElement body)
    {
        Fields.Check(body);
        var model = JsonFields.RequiredString(body, "model");
        var (prompt, ids) = ReadPrompt(body);
        var logprobs = JsonFields.OptionalInt(body, "logprobs", 0, 20);
        var maxTokens = JsonFields.OptionalInt(body, "max_tokens", 1, int.MaxValue) ?? DefaultMaxTokens;
        return new TextCompletionRequest(model, prompt, ids, GenerationOptionsReader.Read(body, maxTokens, logprobs));
    }

    /// <summary>A string, an array of one string, an array of token ids, or an array of one array of token ids.</summary>
    private static (string? Text, int[]? Ids) ReadPrompt(JsonElement body)
    {
        const string Param = "prompt";
        if (!body.TryGetProperty(Param, out var prompt) || prompt.ValueKind == JsonValueKind.Null)
        {
            throw OpenAiException.BadRequest("'prompt' is required.", Param, "missing_required_parameter");
        }

        if (prompt.ValueKind == JsonValueKind.Array && prompt.GetArrayLength() == 1
            && prompt[0].ValueKind is JsonValueKind.String or JsonValueKind.Array)
        {
            prompt = prompt[0];
        }
        else if (prompt.ValueKind == JsonValueKind.Array && prompt.GetArrayLength() > 1
            && prompt.EnumerateArray().All(p => p.ValueKind is JsonValueKind.String or JsonValueKind.Array))
        {
            throw OpenAiException.BadRequest(
                $"'prompt' holds {prompt.GetArrayLength()} prompts; Dnet completes one prompt per request (send one request each).",
                Param, "unsupported_value");
        }

        switch (prompt.ValueKind)
        {
            case JsonValueKind.String:
                var text = JsonFields.Text(prompt, Param);
                return text.Length > 0 ? (text, null) : throw OpenAiException.BadRequest("'prompt' must not be empty.", Param, "invalid_value");
            case JsonValueKind.Array when prompt.GetArrayLength() > 0:
                return (null, [.. prompt.EnumerateArray().Select(id => id.ValueKind == JsonValueKind.Number && id.TryGetInt32(out var value) && value >= 0
                    ? value
                    : throw OpenAiException.BadRequest("'prompt' token ids must be non-negative integers.", Param, "invalid_value"))]);
            case JsonValueKind.Array:
                throw OpenAiException.BadRequest("'prompt' must not be empty.", Param, "invalid_value");
            default:
                throw OpenAiException.BadRequest("'prompt' must be a string or an array of token ids.", Param, "invalid_type");
        }
    }
}
