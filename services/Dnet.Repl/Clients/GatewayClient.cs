using System.Text.Json.Nodes;

namespace Dnet.Repl.Clients;

/// <summary>The gateway's cluster, model and trace control API.</summary>
internal sealed class GatewayClient(Uri baseAddress, HttpClient http, string? apiKey = null) : ServiceClient("gateway", baseAddress, http, apiKey)
{
    /// <summary>The OpenAI-compatible root the chat client talks to.</summary>
    public Uri OpenAiEndpoint => new(BaseAddress, "/v1");

    public Task<JsonNode?> ModelsAsync(CancellationToken cancellationToken) => GetJsonAsync("/v1/models", cancellationToken);

    public Task<JsonNode?> DevicesAsync(CancellationToken cancellationToken) => GetJsonAsync("/v1/cluster/devices", cancellationToken);

    public Task<JsonNode?> TopologyAsync(CancellationToken cancellationToken) => GetJsonAsync("/v1/cluster/topology", cancellationToken);

    public Task<JsonNode?> PrepareAsync(string? model, CancellationToken cancellationToken) =>
        PostJsonAsync("/v1/cluster/topology/prepare", LoadBody(model, null), cancellationToken);

    public Task<JsonNode?> LoadAsync(string? model, IReadOnlyDictionary<string, int[]>? manual, CancellationToken cancellationToken) =>
        PostJsonAsync("/v1/cluster/load", LoadBody(model, manual), cancellationToken);

    public Task<JsonNode?> UnloadAsync(CancellationToken cancellationToken) => PostJsonAsync("/v1/cluster/unload", new JsonObject(), cancellationToken);

    public Task<JsonNode?> TraceAsync(CancellationToken cancellationToken) => GetJsonAsync("/v1/trace", cancellationToken);

    public Task<JsonNode?> SetTraceAsync(bool enabled, IEnumerable<string> prefixes, CancellationToken cancellationToken) =>
        PostJsonAsync("/v1/trace", new JsonObject
        {
            ["enabled"] = enabled,
            ["include_prefixes"] = new JsonArray([.. prefixes.Select(prefix => (JsonNode)prefix)]),
        }, cancellationToken);

    private static JsonObject LoadBody(string? model, IReadOnlyDictionary<string, int[]>? manual)
    {
        var body = new JsonObject();
        if (model is not null)
        {
            body["model"] = model;
        }

        if (manual is not null)
        {
            body["manual"] = new JsonObject(manual.Select(pair =>
                KeyValuePair.Create(pair.Key, (JsonNode?)new JsonArray([.. pair.Value.Select(layer => (JsonNode)layer)]))));
        }

        return body;
    }
}
