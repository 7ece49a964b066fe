using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dnet.Repl.Clients;

/// <summary>
/// Tolerant reads of service JSON: the services are written by others and change, so a missing or retyped field shows
/// as blank rather than failing a whole command. Every Dnet service names fields in snake_case.
/// </summary>
internal static class JsonFields
{
    public static string? Text(this JsonNode? node, string name) =>
        node is JsonObject obj && obj.TryGetPropertyValue(name, out var value) && value is JsonValue scalar
            ? scalar.GetValueKind() switch
            {
                JsonValueKind.String => scalar.GetValue<string>(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => scalar.ToJsonString(),
                _ => null,
            }
            : null;

    public static double? Number(this JsonNode? node, string name) =>
        double.TryParse(node.Text(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static bool? Flag(this JsonNode? node, string name) =>
        node.Text(name) switch
        {
            "true" => true,
            "false" => false,
            _ => null,
        };

    public static IEnumerable<JsonNode> Items(this JsonNode? node, string name) =>
        node is JsonObject obj && obj.TryGetPropertyValue(name, out var value) && value is JsonArray array ? array.OfType<JsonNode>() : [];

    /// <summary>The <c>error.message</c> of an OpenAI-style error body, or null when the body is not one.</summary>
    public static string? ErrorMessage(string body)
    {
        try
        {
            var root = JsonNode.Parse(body);
            return root?["error"] is JsonObject error ? error.Text("message") : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
