using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dnet.Repl.Clients;

/// <summary>
/// Tolerant reads of service JSON: the services are written by others and change, so a missing or retyped field shows
/// as blank rather than failing a whole command. Names are tried in order (snake_case first, camelCase second).
/// </summary>
internal static class JsonFields
{
    public static string? Text(this JsonNode? node, params string[] names)
    {
        foreach (var name in names)
        {
            if (node is JsonObject obj && obj.TryGetPropertyValue(name, out var value) && value is JsonValue scalar)
            {
                return scalar.GetValueKind() switch
                {
                    JsonValueKind.String => scalar.GetValue<string>(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => scalar.ToJsonString(),
                    _ => null,
                };
            }
        }

        return null;
    }

    public static double? Number(this JsonNode? node, params string[] names) =>
        double.TryParse(node.Text(names), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static bool? Flag(this JsonNode? node, params string[] names) =>
        node.Text(names) switch
        {
            "true" => true,
            "false" => false,
            _ => null,
        };

    public static IEnumerable<JsonNode> Items(this JsonNode? node, params string[] names)
    {
        foreach (var name in names)
        {
            if (node is JsonObject obj && obj.TryGetPropertyValue(name, out var value) && value is JsonArray array)
            {
                return array.OfType<JsonNode>();
            }
        }

        return [];
    }

    /// <summary>The <c>error.message</c> of an OpenAI-style error body, or null when the body is not one.</summary>
    public static string? ErrorMessage(string body)
    {
        try
        {
            var root = JsonNode.Parse(body);
            return root?["error"] is JsonObject error ? error.Text("message") : root.Text("message", "detail", "title");
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
