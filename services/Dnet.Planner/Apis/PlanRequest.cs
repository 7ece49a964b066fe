using System.Text.Json.Nodes;

namespace Dnet.Planner.Apis;

/// <summary>Body of <c>POST /planner/plan</c> (snake_case on the wire).</summary>
public sealed record PlanRequest
{
    /// <summary>A generated model name, or a checkpoint folder name or path; passed on to the shards as is.</summary>
    public string? Model { get; init; }

    /// <summary>An inline config.json, used instead of resolving <see cref="Model"/>.</summary>
    public JsonObject? Config { get; init; }

    /// <summary>Node → [start, end): take this assignment instead of solving for one.</summary>
    public Dictionary<string, int[]>? Manual { get; init; }

    /// <summary>Have the shards measure their links to each other (otherwise links are assumed free).</summary>
    public bool MeasureLinks { get; init; }

    /// <summary>bf16 or f32; defaults to the config's torch_dtype (float16 → bf16).</summary>
    public string? ComputeDtype { get; init; }

    /// <summary>Tokens of KV cache to reserve per shard; defaults to max_position_embeddings.</summary>
    public int? ContextLength { get; init; }

    /// <summary>Give every reachable shard at least one layer, even when fewer shards would be faster.</summary>
    public bool UseAllShards { get; init; }

    /// <summary>Members to leave out, e.g. shards the gateway saw die that have not expired from membership yet.</summary>
    public IReadOnlyList<string>? ExcludeNodes { get; init; }
}
