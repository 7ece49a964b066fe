using System.Text;
using System.Text.Json;
using Dnet.Generation.Chat;

namespace Dnet.Gateway.OpenAi;

/// <summary>
/// Reads and validates a chat completion body field by field, so every mistake is answered with the OpenAI error
/// object naming the offending parameter. Unknown fields are ignored, as OpenAI-compatible servers do.
/// </summary>
internal static class ChatCompletionRequestReader
{
    private static readonly HashSet<string> Roles = ["system", "developer", "user", "assistant"];
    private const int MaxStopSequences = 4;

    public static async Task<ChatCompletionRequest> ReadAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException exception)
        {
            throw OpenAiException.BadRequest($"The request body is not valid JSON: {exception.Message}", code: "invalid_json");
        }

        using (document)
        {
            return Read(document.RootElement);
        }
    }

    public static ChatCompletionRequest Read(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw OpenAiException.BadRequest("The request body must be a JSON object.");
        }

        var n = OptionalInt(body, "n", 1, int.MaxValue) ?? 1;
        if (n != 1)
        {
            throw OpenAiException.BadRequest($"n={n} is not supported: Dnet generates one choice per request.", "n", "unsupported_value");
        }

        var logprobs = OptionalBool(body, "logprobs") ?? false;
        var topLogprobs = OptionalInt(body, "top_logprobs", 0, 20) ?? 0;
        if (topLogprobs > 0 && !logprobs)
        {
            throw OpenAiException.BadRequest("top_logprobs requires logprobs to be true.", "top_logprobs");
        }

        var streamOptions = Optional(body, "stream_options", JsonValueKind.Object);
        return new ChatCompletionRequest
        {
            Model = RequiredString(body, "model"),
            Messages = ReadMessages(body),
            MaxTokens = OptionalInt(body, "max_completion_tokens", 1, int.MaxValue) ?? OptionalInt(body, "max_tokens", 1, int.MaxValue),
            Temperature = OptionalFloat(body, "temperature", 0, 2) ?? 1f,
            TopP = OptionalFloat(body, "top_p", 0, 1, exclusiveMin: true) ?? 1f,
            TopK = OptionalInt(body, "top_k", -1, int.MaxValue) is { } k && k > 0 ? k : 0,
            MinP = OptionalFloat(body, "min_p", 0, 1) ?? 0f,
            FrequencyPenalty = OptionalFloat(body, "frequency_penalty", -2, 2) ?? 0f,
            PresencePenalty = OptionalFloat(body, "presence_penalty", -2, 2) ?? 0f,
            RepetitionPenalty = OptionalFloat(body, "repetition_penalty", 0, 10, exclusiveMin: true) ?? 1f,
            Seed = Optional(body, "seed", JsonValueKind.Number) is { } seed
                ? seed.TryGetInt64(out var s) ? s : throw OpenAiException.BadRequest("seed must be an integer.", "seed")
                : null,
            Stop = ReadStop(body),
            Logprobs = logprobs,
            TopLogprobs = topLogprobs,
            User = Optional(body, "user", JsonValueKind.String)?.GetString(),
            Stream = OptionalBool(body, "stream") ?? false,
            IncludeUsage = streamOptions is { } options && (OptionalBool(options, "include_usage") ?? false),
        };
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

            var role = RequiredString(message, "role", param);
            if (!Roles.Contains(role))
            {
                throw OpenAiException.BadRequest(
                    $"{param}.role '{role}' is not supported; use one of: {string.Join(", ", Roles)}.", $"{param}.role", "invalid_value");
            }

            result.Add(new ChatMessage(role == "developer" ? "system" : role, ReadContent(message, param)));
        }

        return result;
    }

    private static string ReadContent(JsonElement message, string param)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            throw OpenAiException.BadRequest($"{param}.content is required.", $"{param}.content", "missing_required_parameter");
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
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
            var type = item.ValueKind == JsonValueKind.Object ? RequiredString(item, "type", partParam) : null;
            if (type != "text")
            {
                throw OpenAiException.BadRequest(
                    $"{partParam} must be a text part ({{\"type\": \"text\", \"text\": ...}}); this model reads text only.", partParam, "invalid_value");
            }

            text.Append(RequiredString(item, "text", partParam));
        }

        return text.ToString();
    }

    private static List<string> ReadStop(JsonElement body)
    {
        if (!body.TryGetProperty("stop", out var stop) || stop.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        var stops = stop.ValueKind switch
        {
            JsonValueKind.String => [stop.GetString()!],
            JsonValueKind.Array => stop.EnumerateArray().Select(s => s.ValueKind == JsonValueKind.String
                ? s.GetString()!
                : throw OpenAiException.BadRequest("stop must be a string or an array of strings.", "stop", "invalid_type")).ToList(),
            _ => throw OpenAiException.BadRequest("stop must be a string or an array of strings.", "stop", "invalid_type"),
        };
        if (stops.Count > MaxStopSequences || stops.Any(string.IsNullOrEmpty))
        {
            throw OpenAiException.BadRequest($"stop takes up to {MaxStopSequences} non-empty strings.", "stop", "invalid_value");
        }

        return stops;
    }

    private static string RequiredString(JsonElement element, string name, string? parent = null)
    {
        var param = parent is null ? name : $"{parent}.{name}";
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw OpenAiException.BadRequest($"'{param}' is required.", param, "missing_required_parameter");
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw OpenAiException.BadRequest($"'{param}' must be a string.", param, "invalid_type");
    }

    private static JsonElement? Optional(JsonElement element, string name, JsonValueKind kind)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == kind
            ? value
            : throw OpenAiException.BadRequest($"'{name}' must be {Describe(kind)}.", name, "invalid_type");
    }

    private static bool? OptionalBool(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw OpenAiException.BadRequest($"'{name}' must be a boolean.", name, "invalid_type"),
        };
    }

    private static int? OptionalInt(JsonElement element, string name, int min, int max)
    {
        if (Optional(element, name, JsonValueKind.Number) is not { } value)
        {
            return null;
        }

        if (!value.TryGetInt32(out var number))
        {
            throw OpenAiException.BadRequest($"'{name}' must be an integer.", name, "invalid_type");
        }

        return number >= min && number <= max
            ? number
            : throw OpenAiException.BadRequest($"'{name}' must be between {min} and {max}; got {number}.", name, "invalid_value");
    }

    private static float? OptionalFloat(JsonElement element, string name, float min, float max, bool exclusiveMin = false)
    {
        if (Optional(element, name, JsonValueKind.Number) is not { } value)
        {
            return null;
        }

        var number = value.GetDouble();
        var aboveMin = exclusiveMin ? number > min : number >= min;
        return aboveMin && number <= max
            ? (float)number
            : throw OpenAiException.BadRequest(
                $"'{name}' must be {(exclusiveMin ? "greater than" : "at least")} {min} and at most {max}; got {number}.", name, "invalid_value");
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Number => "a number",
        JsonValueKind.String => "a string",
        JsonValueKind.Object => "an object",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
