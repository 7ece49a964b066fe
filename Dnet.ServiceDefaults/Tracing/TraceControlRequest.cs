using System.Text.Json;
using Dnet.Contracts.Tracing;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>
/// Validates a <c>POST /v1/trace</c> body: <c>{"enabled": bool, "include_prefixes": [string, ...]}</c>, where
/// <c>include_prefixes</c> may be omitted, <c>null</c> or empty (every frame). Unknown fields are rejected so a typo
/// does not silently switch on every frame.
/// </summary>
internal static class TraceControlRequest
{
    private const string EnabledField = "enabled";
    private const string PrefixesField = "include_prefixes";
    private const int MaxPrefixes = 64;
    private const int MaxPrefixLength = 200;

    public static bool TryParse(JsonElement body, out TraceControlState state, out ApiError error)
    {
        state = TraceControlState.AllFrames;
        if (body.ValueKind != JsonValueKind.Object)
        {
            error = new ApiError("The request body must be a JSON object.", null);
            return false;
        }

        foreach (var property in body.EnumerateObject())
        {
            if (property.Name is not (EnabledField or PrefixesField))
            {
                error = new ApiError($"Unrecognized field '{property.Name}'; expected '{EnabledField}' and '{PrefixesField}'.", property.Name);
                return false;
            }
        }

        if (!body.TryGetProperty(EnabledField, out var enabled) || enabled.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            error = new ApiError($"'{EnabledField}' is required and must be a boolean.", EnabledField);
            return false;
        }

        if (!TryParsePrefixes(body, out var prefixes, out error))
        {
            return false;
        }

        state = new TraceControlState(enabled.GetBoolean(), prefixes);
        return true;
    }

    private static bool TryParsePrefixes(JsonElement body, out List<string> prefixes, out ApiError error)
    {
        prefixes = [];
        error = default;
        if (!body.TryGetProperty(PrefixesField, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() > MaxPrefixes)
        {
            error = new ApiError($"'{PrefixesField}' must be an array of at most {MaxPrefixes} strings.", PrefixesField);
            return false;
        }

        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 and <= MaxPrefixLength } prefix)
            {
                error = new ApiError($"Every entry of '{PrefixesField}' must be a non-empty string of at most {MaxPrefixLength} characters.", PrefixesField);
                return false;
            }

            prefixes.Add(prefix);
        }

        return true;
    }
}

/// <summary>An OpenAI-style <c>invalid_request_error</c>.</summary>
/// <param name="Message">What is wrong, for a person.</param>
/// <param name="Param">The offending field, if any.</param>
internal readonly record struct ApiError(string Message, string? Param);
