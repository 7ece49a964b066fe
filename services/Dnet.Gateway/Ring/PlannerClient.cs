using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dnet.Gateway.Ring;

/// <summary>Asks the planner (Aspire service discovery: <c>http://planner</c>) for a topology.</summary>
internal sealed class PlannerClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public async Task<PlannedTopology> PlanAsync(
        string model, IReadOnlyDictionary<string, int[]>? manual, ModelLoadSettings settings, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["compute_dtype"] = settings.ComputeDtype,
            ["context_length"] = settings.MaxContext,
            ["use_all_shards"] = settings.UseAllShards,
        };
        if (manual is not null)
        {
            body["manual"] = JsonSerializer.SerializeToNode(manual);
        }

        using var response = await http.PostAsJsonAsync("/planner/plan", body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new PlanningFailedException((int)response.StatusCode, PlannerMessage(text) ?? text);
        }

        return JsonSerializer.Deserialize<PlannedTopology>(text, Json)
            ?? throw new PlanningFailedException(502, "the planner answered an empty topology");
    }

    public async Task<JsonNode?> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(text)
            : throw new PlanningFailedException((int)response.StatusCode, PlannerMessage(text) ?? text);
    }

    private static string? PlannerMessage(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["error"]?["message"]?.GetValue<string>();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The planner's answer: shards in ring order with their layer ranges.</summary>
internal sealed record PlannedTopology(string ComputeDtype, int ContextLength, IReadOnlyList<PlannedShard> Shards, JsonElement? Prediction);

/// <summary>One shard of a planned ring.</summary>
internal sealed record PlannedShard(string Node, string Address, int LayerStart, int LayerEnd);

/// <summary>The planner refused or failed; carries its status and message.</summary>
internal sealed class PlanningFailedException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
