using System.Text.Json;
using Dnet.ServiceDefaults.Http;

namespace Dnet.Gateway.OpenAi;

/// <summary>Typed reads of request fields; every mistake is a 400 naming the field.</summary>
internal static class JsonFields
{
    public static string RequiredString(JsonElement element, string name, string? parent = null)
    {
        var param = Param(parent, name);
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw OpenAiException.BadRequest($"'{param}' is required.", param, "missing_required_parameter");
        }

        return value.ValueKind == JsonValueKind.String
            ? Text(value, param)
            : throw OpenAiException.BadRequest($"'{param}' must be a string.", param, "invalid_type");
    }

    /// <summary>
    /// A JSON string's text. Text that is not valid Unicode (invalid UTF-8 bytes, a lone surrogate such as
    /// <c>\ud800</c>) cannot be tokenized faithfully, so it is refused naming the field rather than replaced.
    /// </summary>
    public static string Text(JsonElement value, string param)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw OpenAiException.BadRequest(
                $"'{param}' is not valid Unicode text (invalid UTF-8 bytes or an unpaired surrogate such as \\ud800).", param, "invalid_encoding");
        }
    }

    public static JsonElement? Optional(JsonElement element, string name, JsonValueKind kind, string? parent = null)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var param = Param(parent, name);
        return value.ValueKind == kind
            ? value
            : throw OpenAiException.BadRequest($"'{param}' must be {Describe(kind)}.", param, "invalid_type");
    }

    public static bool? OptionalBool(JsonElement element, string name, string? parent = null)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw OpenAiException.BadRequest($"'{Param(parent, name)}' must be a boolean.", Param(parent, name), "invalid_type"),
        };
    }

    public static int? OptionalInt(JsonElement element, string name, int min, int max)
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

    public static float? OptionalFloat(JsonElement element, string name, float min, float max, bool exclusiveMin = false)
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

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Number => "a number",
        JsonValueKind.String => "a string",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string Param(string? parent, string name) => parent is null ? name : $"{parent}.{name}";
}
