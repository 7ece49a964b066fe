using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dnet.Gateway.Ring;

/// <summary>
/// Asks the planner (Aspire service discovery: <c>http://planner</c>) for a topology. Planning calls every member in
/// turn, so each call's timeout grows with the number of members (<see cref="PlannerTimeouts"/>); nothing is retried
/// here: a plan is not idempotent (it replaces the planner's current topology), and whoever asked decides whether to try again.
/// </summary>
internal sealed class PlannerClient(HttpClient http, ClusterView cluster)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public async Task<PlannedTopology> PlanAsync(
        string model, IReadOnlyDictionary<string, int[]>? manual, ModelLoadSettings settings, CancellationToken cancellationToken,
        IReadOnlyCollection<string>? excludeNodes = null)
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

        if (excludeNodes is { Count: > 0 })
        {
            body["exclude_nodes"] = new JsonArray([.. excludeNodes.Select(node => (JsonNode)node)]);
        }

        using var timeout = Timeout(PlannerTimeouts.Plan(cluster.MemberCount, measureLinks: false), cancellationToken);
        try
        {
            using var response = await http.PostAsJsonAsync("/planner/plan", body, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new PlanningFailedException((int)response.StatusCode, PlannerMessage(text) ?? text);
            }

            return JsonSerializer.Deserialize<PlannedTopology>(text, Json)
                ?? throw new PlanningFailedException(502, "the planner answered an empty topology");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PlanningFailedException(504, $"the planner did not answer within {PlannerTimeouts.Plan(cluster.MemberCount, false).TotalSeconds:F0} s");
        }
        catch (HttpRequestException exception)
        {
            throw new PlanningFailedException(502, $"the planner is unreachable: {exception.Message}");
        }
    }

    public async Task<JsonNode?> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var timeout = Timeout(PlannerTimeouts.Devices(cluster.MemberCount), cancellationToken);
        try
        {
            using var response = await http.GetAsync(path, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            return response.IsSuccessStatusCode
                ? JsonNode.Parse(text)
                : throw new PlanningFailedException((int)response.StatusCode, PlannerMessage(text) ?? text);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PlanningFailedException(504, $"the planner did not answer {path} in time");
        }
        catch (HttpRequestException exception)
        {
            throw new PlanningFailedException(502, $"the planner is unreachable: {exception.Message}");
        }
    }

    private static CancellationTokenSource Timeout(TimeSpan after, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(after);
        return source;
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

/// <summary>
/// How long the planner may take, from what it does per member (the planner's own per-call deadlines): describing the
/// model's copy (5 s, all members at once), profiling one member after another (15 s each: the first profile runs
/// benchmarks) and, when links are measured, every ordered pair (30 s each), plus a margin for solving and answering.
/// </summary>
internal static class PlannerTimeouts
{
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Describe = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ProfileEach = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan LinkEach = TimeSpan.FromSeconds(30);

    public static TimeSpan Plan(int members, bool measureLinks) =>
        Margin + Describe + (ProfileEach * Math.Max(1, members)) + (measureLinks ? LinkEach * (members * Math.Max(0, members - 1)) : TimeSpan.Zero);

    public static TimeSpan Devices(int members) => Margin + (ProfileEach * Math.Max(1, members));
}

/// <summary>The planner's answer: shards in ring order with their layer ranges, and the members it could not use.</summary>
internal sealed record PlannedTopology(
    string ComputeDtype, int ContextLength, IReadOnlyList<PlannedShard> Shards, JsonElement? Prediction, PlanInputs? Inputs, IReadOnlyList<string>? Excluded);

/// <summary>One shard of a planned ring.</summary>
internal sealed record PlannedShard(string Node, string Address, int LayerStart, int LayerEnd);

/// <summary>The members a plan left aside because they did not answer or have no copy of the model.</summary>
internal sealed record PlanInputs(IReadOnlyList<SkippedMember>? Unreachable, IReadOnlyList<SkippedMember>? WithoutModel);

/// <summary>A member the planner could not use, and why.</summary>
internal sealed record SkippedMember(string Node, string Address, string Error);

/// <summary>The planner refused or failed; carries its status and message.</summary>
internal sealed class PlanningFailedException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
