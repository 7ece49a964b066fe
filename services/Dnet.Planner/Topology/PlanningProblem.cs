namespace Dnet.Planner.Topology;

/// <summary>Everything the solver needs to place a model on devices.</summary>
/// <param name="Model">Per-layer costs (FLOPs already at <paramref name="ContextLength"/>).</param>
/// <param name="Devices">Candidate shards; their list order is the ring order when there are too many to search orders.</param>
/// <param name="Links">Hop costs; missing pairs cost <see cref="LinkTable.Unmeasured"/>.</param>
/// <param name="ContextLength">Tokens of KV cache every shard must hold room for, and the context decode is predicted at.</param>
/// <param name="UseAllDevices">Require every device to get at least one layer (otherwise a device may be left out).</param>
public sealed record PlanningProblem(
    ModelCosts Model,
    IReadOnlyList<DeviceCapacity> Devices,
    LinkTable Links,
    int ContextLength,
    bool UseAllDevices = false);
