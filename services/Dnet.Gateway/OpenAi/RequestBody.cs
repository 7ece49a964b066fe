using System.Text.Json;
using Dnet.ServiceDefaults.Http;

namespace Dnet.Gateway.OpenAi;

/// <summary>Reads a request body as one JSON object (bounded by Kestrel's body cap, so memory per request is too).</summary>
internal static class RequestBody
{
    public static async Task<JsonDocument> ReadObjectAsync(HttpRequest http, CancellationToken cancellationToken)
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

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw OpenAiException.BadRequest("The request body must be a JSON object.", code: "invalid_json");
        }

        return document;
    }
}
