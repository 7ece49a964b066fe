namespace Dnet.Planner.Topology;

/// <summary>A ring: shards in order with their layers, and what it is predicted to cost.</summary>
/// <param name="Shards">Shards that hold layers, in ring order (the gateway sends to the first).</param>
/// <param name="Excluded">Devices that got no layers.</param>
/// <param name="Prediction">Per-token decode prediction.</param>
/// <param name="OrdersSearched">Whether every ring order was searched (false: the devices' list order was kept).</param>
public sealed record TopologyPlan(
    IReadOnlyList<LayerAssignment> Shards,
    IReadOnlyList<string> Excluded,
    Prediction Prediction,
    bool OrdersSearched);
