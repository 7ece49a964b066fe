using System.Globalization;
using System.Text.Json;

namespace Dnet.Perf;

/// <summary>Reads attribute values whatever shape the host deserialized them into.</summary>
internal static class AttributeValue
{
    public static string? String(IReadOnlyDictionary<string, object?> attributes, string key) =>
        attributes.TryGetValue(key, out var value) ? AsString(value) : null;

    public static long? Long(IReadOnlyDictionary<string, object?> attributes, string key)
    {
        var number = Double(attributes, key);
        return number is { } d && double.IsFinite(d) ? (long)d : null;
    }

    public static double? Double(IReadOnlyDictionary<string, object?> attributes, string key)
    {
        if (!attributes.TryGetValue(key, out var value))
        {
            return null;
        }

        return value switch
        {
            null => null,
            double d => d,
            float f => f,
            long l => l,
            int i => i,
            JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
            IConvertible c when value is not string => c.ToDouble(CultureInfo.InvariantCulture),
            _ => double.TryParse(AsString(value), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : null,
        };
    }

    private static string? AsString(object? value) => value switch
    {
        null => null,
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        JsonElement { ValueKind: JsonValueKind.Array } e => string.Join(',', e.EnumerateArray().Select(item => AsString(item))),
        JsonElement e => e.GetRawText(),
        IEnumerable<string> list => string.Join(',', list),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
