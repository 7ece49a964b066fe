using System.Text.Json.Serialization;
using Dnet.Planner.Infrastructure;
using Dnet.Planner.Topology;

namespace Dnet.Planner.Apis;

/// <summary>A planned ring as the API returns it, and as the current topology is remembered.</summary>
/// <param name="Model">The model as the request named it (what shards are asked to load).</param>
/// <param name="ComputeDtype">bf16 or f32: what the prediction assumed and the shards should load with.</param>
/// <param name="ContextLength">KV cache tokens reserved per shard (LoadSlice max_context).</param>
/// <param name="Layers">num_hidden_layers.</param>
/// <param name="Mode"><c>solved</c> or <c>manual</c>.</param>
/// <param name="Shards">Ring order: the gateway sends to the first; each forwards to its next_hop; the last samples.</param>
/// <param name="Excluded">Reachable shards that got no layers.</param>
/// <param name="Prediction">Predicted per-token decode latency, per shard and per hop.</param>
/// <param name="Inputs">Model, device and link figures the plan was computed from.</param>
/// <param name="PlannedAt">When the plan was made.</param>
public sealed record TopologyDocument(
    string Model,
    string ComputeDtype,
    int ContextLength,
    int Layers,
    string Mode,
    IReadOnlyList<RingShard> Shards,
    IReadOnlyList<string> Excluded,
    Prediction Prediction,
    PlanInputs Inputs,
    DateTimeOffset PlannedAt);

/// <summary>One shard of the ring; <paramref name="NextHop"/> is empty on the last shard.</summary>
public sealed record RingShard(string Node, string Address, int LayerStart, int LayerEnd, string NextHop);

/// <summary>
/// What a plan was computed from, so that predicted and measured latency can be compared later; members that did not
/// answer, and members without a copy of the model, are listed with why.
/// </summary>
public sealed record PlanInputs(
    ModelInputs Model,
    IReadOnlyList<DeviceDocument> Devices,
    IReadOnlyList<LinkDocument> Links,
    bool LinksMeasured,
    IReadOnlyList<UnreachableShard> Unreachable,
    IReadOnlyList<ShardWithoutModel> WithoutModel,
    bool UseAllShards,
    bool OrdersSearched);

/// <summary>The model's shape and the solver's cost profile of it.</summary>
public sealed record ModelInputs(string Name, Dnet.Models.ModelConfig Shape, long TotalParameters, ModelCosts Profile);

/// <summary>A shard's device profile (GET /planner/devices and plan inputs).</summary>
public sealed record DeviceDocument(
    string Node,
    string Address,
    long UsableMemoryBytes,
    double Gflops,
    double MemoryBandwidthGbps,
    double DiskReadGbps,
    string ComputeDtype,
    int CpuThreads,
    IReadOnlyList<string> Overridden);

/// <summary>A measured shard-to-shard link; bandwidth in 1e6 bytes/s, null when the payload's transfer time was not measurable.</summary>
public sealed record LinkDocument(
    string From,
    string To,
    double LatencyMs,
    [property: JsonPropertyName("bandwidth_mb_per_s")] double? BandwidthMBps,
    double P50RoundTripMs,
    double P99RoundTripMs,
    int PayloadBytes);

/// <summary>Body of <c>GET /planner/devices</c>.</summary>
public sealed record DevicesDocument(IReadOnlyList<DeviceDocument> Devices, IReadOnlyList<UnreachableShard> Unreachable);
