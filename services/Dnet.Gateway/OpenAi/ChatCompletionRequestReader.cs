using System.Text;
using System.Text.Json;
using Dnet.Generation.Chat;
using Dnet.ServiceDefaults.Http;

namespace Dnet.Gateway.OpenAi;

/// <summary>
/// Reads and validates a chat completion body field by field, so every mistake is answered with the OpenAI error
/// object naming the offending parameter. Every field of OpenAI's Chat Completions API is either read, accepted as
/// harmless metadata, or refused with the reason (the table is in the gateway README).
/// </summary>
internal static class ChatCompletionRequestReader
{
    private const string NoTools = "is not supported: Dnet has no tool calling yet";
    private const string TextOnly = "is not supported: Dnet serves text-only models";

    private static readonly HashSet<string> Roles = ["system", "developer", "user", "assistant"];

    private static readonly FieldRules Fields = new FieldRules("POST /v1/chat/completions")
        .Read(GenerationOptionsReader.Fields)
        .Read("model", "messages", "max_completion_tokens", "logprobs", "top_logprobs")
        .Ignore(JsonValueKind.String, "user", "safety_identifier", "prompt_cache_key")
        .Ignore(JsonValueKind.Object, "metadata")
        .Only("store", value => value.ValueKind == JsonValueKind.False, "is not supported when true: Dnet does not store completions")
        .Only("service_tier", value => value.ValueKind == JsonValueKind.String && value.GetString() is "auto" or "default",
            "takes only 'auto' or 'default': Dnet has one processing tier")
        .Only("modalities", value => value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(m => m.ValueKind == JsonValueKind.String && m.GetString() == "text"),
            "takes only [\"text\"]: Dnet serves text-only models")
        .Only("response_format", value => value.ValueKind == JsonValueKind.Object && value.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "text",
            "takes only {\"type\": \"text\"}: JSON mode and structured outputs need constrained decoding, which Dnet does not implement, so it could not guarantee that the output parses")
        .Only("tool_choice", value => value.ValueKind == JsonValueKind.String && value.GetString() == "none", NoTools)
        .Only("function_call", value => value.ValueKind == JsonValueKind.String && value.GetString() == "none", NoTools)
        .Refuse(NoTools, "tools", "functions", "parallel_tool_calls")
        .Refuse(TextOnly, "audio")
        .Refuse("is not supported: Dnet has no predicted outputs", "prediction")
        .Refuse("is not supported: Dnet has no web search", "web_search_options")
        .Refuse("is not supported with this model: it is not a reasoning model", "reasoning_effort", "verbosity");

    private static readonly FieldRules MessageFields = new FieldRules("a chat message")
        .Read("role", "content")
        .Ignore(JsonValueKind.String, "name", "refusal")
        .Refuse(NoTools, "tool_calls", "tool_call_id", "function_call")
        .Refuse(TextOnly, "audio");

    public static async Task<ChatCompletionRequest> ReadAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        using var document = await RequestBody.ReadObjectAsync(http, cancellationToken);
        return Read(document.RootElement);
    }

    public static ChatCompletionRequest Read(JsonElement body)
    {
        Fields.Check(body);
        var logprobs = JsonFields.OptionalBool(body, "logprobs") ?? false;
        var topLogprobs = JsonFields.OptionalInt(body, "top_logprobs", 0, 20);
        if (topLogprobs is > 0 && !logprobs)
        {
            throw OpenAiException.BadRequest("top_logprobs requires logprobs to be true.", "top_logprobs");
        }

        var maxTokens = JsonFields.OptionalInt(body, "max_completion_tokens", 1, int.MaxValue) ?? JsonFields.OptionalInt(body, "max_tokens", 1, int.MaxValue);
        return new ChatCompletionRequest(
            JsonFields.RequiredString(body, "model"),
            ReadMessages(body),
            GenerationOptionsReader.Read(body, maxTokens, logprobs ? topLogprobs ?? 0 : null));
    }

    private static List<ChatMessage> ReadMessages(JsonElement body)
    {
        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind == JsonValueKind.Null)
        {
            throw OpenAiException.BadRequest("'messages' is required.", "messages", "missing_required_parameter");
        }

        if (messages.ValueKind != JsonValueKind.Array)
        {
            throw OpenAiException.BadRequest("'messages' must be an array.", "messages", "invalid_type");
        }

        if (messages.GetArrayLength() == 0)
        {
            throw OpenAiException.BadRequest("'messages' must contain at least one message.", "messages", "empty_array");
        }

        var result = new List<ChatMessage>();
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var param = $"messages[{index++}]";
            if (message.ValueKind != JsonValueKind.Object)
            {
                throw OpenAiException.BadRequest($"{param} must be an object.", param, "invalid_type");
            }

            CheckMessageFields(message, param);
            var role = JsonFields.RequiredString(message, "role", param);
            if (role is "tool" or "function")
            {
                throw OpenAiException.BadRequest($"{param}.role '{role}' {NoTools}.", $"{param}.role", "unsupported_value");
            }

            if (!Roles.Contains(role))
            {
                throw OpenAiException.BadRequest(
                    $"{param}.role '{role}' is not supported; use one of: {string.Join(", ", Roles)}.", $"{param}.role", "invalid_value");
            }

            result.Add(new ChatMessage(role == "developer" ? "system" : role, ReadContent(message, param)));
        }

        return result;
    }

    private static void CheckMessageFields(JsonElement message, string param)
    {
        try
        {
            MessageFields.Check(message);
        }
        catch (OpenAiException exception) when (exception.Error.Error.Param is { } field)
        {
            // The same refusal, addressed to the field inside this message.
            throw OpenAiException.BadRequest(exception.Message.Replace($"'{field}'", $"'{param}.{field}'", StringComparison.Ordinal),
                $"{param}.{field}", exception.Error.Error.Code);
        }
    }

    private static string ReadContent(JsonElement message, string param)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            throw OpenAiException.BadRequest($"{param}.content is required.", $"{param}.content", "missing_required_parameter");
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return JsonFields.Text(content, $"{param}.content");
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw OpenAiException.BadRequest($"{param}.content must be a string or an array of text parts.", $"{param}.content", "invalid_type");
        }

        var text = new StringBuilder();
        var part = 0;
        foreach (var item in content.EnumerateArray())
        {
            var partParam = $"{param}.content[{part++}]";
            var type = item.ValueKind == JsonValueKind.Object ? JsonFields.RequiredString(item, "type", partParam) : null;
            if (type != "text")
            {
                throw OpenAiException.BadRequest(
                    $"{partParam} must be a text part ({{\"type\": \"text\", \"text\": ...}}); this model reads text only.", partParam, "invalid_value");
            }

            text.Append(JsonFields.RequiredString(item, "text", partParam));
        }

        return text.ToString();
    }
}
