namespace Dnet.Planner.Topology;

/// <summary>What one decoder layer costs a shard that holds it.</summary>
/// <param name="WeightBytes">Weight bytes held, and read once per decoded token.</param>
/// <param name="FlopsPerToken">FLOPs for one decoded token at the planning context length.</param>
/// <param name="KvBytesPerToken">K and V bytes one token adds to this layer's cache.</param>
public sealed record LayerCost(long WeightBytes, double FlopsPerToken, long KvBytesPerToken);
