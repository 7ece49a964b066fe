using System.Globalization;
using System.Text.Json;
using Dnet.Gateway.Completions;
using Dnet.ServiceDefaults.Http;

namespace Dnet.Gateway.OpenAi;

/// <summary>
/// Reads the fields both completion APIs share: sampling (OpenAI's and vLLM's <c>top_k</c>, <c>min_p</c>,
/// <c>repetition_penalty</c>), <c>stop</c>, <c>logit_bias</c>, <c>seed</c>, <c>n</c>, <c>stream</c> and
/// <c>stream_options</c>. Logprobs differ between the APIs and are passed in.
/// </summary>
internal static class GenerationOptionsReader
{
    /// <summary>Fields this reader parses, for <see cref="FieldRules.Read"/>.</summary>
    public static readonly string[] Fields =
    [
        "max_tokens", "temperature", "top_p", "top_k", "min_p", "frequency_penalty", "presence_penalty", "repetition_penalty",
        "seed", "stop", "logit_bias", "n", "stream", "stream_options",
    ];

    public const int MaxStopSequences = 4;
    public const int MaxLogitBiasEntries = 300;
    public const float MaxLogitBias = 100f;

    public static GenerationOptions Read(JsonElement body, int? maxTokens, int? logprobs)
    {
        var n = JsonFields.OptionalInt(body, "n", 1, int.MaxValue) ?? 1;
        if (n != 1)
        {
            throw OpenAiException.BadRequest($"n={n} is not supported: Dnet generates one choice per request.", "n", "unsupported_value");
        }

        var stream = JsonFields.OptionalBool(body, "stream") ?? false;
        var streamOptions = JsonFields.Optional(body, "stream_options", JsonValueKind.Object);
        var includeUsage = false;
        if (streamOptions is { } options)
        {
            if (!stream)
            {
                throw OpenAiException.BadRequest("stream_options is only allowed when stream is true.", "stream_options", "invalid_value");
            }

            foreach (var option in options.EnumerateObject())
            {
                if (option.Name is not ("include_usage" or "include_obfuscation"))
                {
                    throw OpenAiException.BadRequest(
                        $"Unrecognized stream option '{option.Name}'; Dnet takes include_usage (and ignores include_obfuscation).",
                        $"stream_options.{option.Name}", "unknown_parameter");
                }
            }

            includeUsage = JsonFields.OptionalBool(options, "include_usage", "stream_options") ?? false;
            _ = JsonFields.OptionalBool(options, "include_obfuscation", "stream_options");
        }

        return new GenerationOptions
        {
            MaxTokens = maxTokens,
            Temperature = JsonFields.OptionalFloat(body, "temperature", 0, 2) ?? 1f,
            TopP = JsonFields.OptionalFloat(body, "top_p", 0, 1, exclusiveMin: true) ?? 1f,
            TopK = JsonFields.OptionalInt(body, "top_k", -1, int.MaxValue) is { } k && k > 0 ? k : 0,
            MinP = JsonFields.OptionalFloat(body, "min_p", 0, 1) ?? 0f,
            FrequencyPenalty = JsonFields.OptionalFloat(body, "frequency_penalty", -2, 2) ?? 0f,
            PresencePenalty = JsonFields.OptionalFloat(body, "presence_penalty", -2, 2) ?? 0f,
            RepetitionPenalty = JsonFields.OptionalFloat(body, "repetition_penalty", 0, 10, exclusiveMin: true) ?? 1f,
            Seed = JsonFields.Optional(body, "seed", JsonValueKind.Number) is { } seed
                ? seed.TryGetInt64(out var s) ? s : throw OpenAiException.BadRequest("seed must be an integer.", "seed", "invalid_type")
                : null,
            Stop = ReadStop(body),
            LogitBias = ReadLogitBias(body),
            Logprobs = logprobs,
            Stream = stream,
            IncludeUsage = includeUsage,
        };
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

    /// <summary>
    /// <c>{"token id": bias}</c> with ids as decimal strings (JSON keys) and biases in [-100, 100]. Whether an id is in
    /// the vocabulary is checked once the model is known.
    /// </summary>
    private static Dictionary<int, float> ReadLogitBias(JsonElement body)
    {
        var biases = new Dictionary<int, float>();
        if (JsonFields.Optional(body, "logit_bias", JsonValueKind.Object) is not { } map)
        {
            return biases;
        }

        foreach (var entry in map.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw OpenAiException.BadRequest(
                    $"logit_bias keys must be token ids (non-negative integers as strings); got '{entry.Name}'.", "logit_bias", "invalid_value");
            }

            if (entry.Value.ValueKind != JsonValueKind.Number || entry.Value.GetDouble() is < -MaxLogitBias or > MaxLogitBias)
            {
                throw OpenAiException.BadRequest(
                    $"logit_bias[{entry.Name}] must be a number from -100 to 100; got {entry.Value.GetRawText()}.", "logit_bias", "invalid_value");
            }

            biases[id] = (float)entry.Value.GetDouble();
        }

        return biases.Count <= MaxLogitBiasEntries
            ? biases
            : throw OpenAiException.BadRequest($"logit_bias takes at most {MaxLogitBiasEntries} tokens; got {biases.Count}.", "logit_bias", "invalid_value");
    }
}
