namespace Dnet.Planner.Infrastructure;

/// <summary>A shard's name and the address of its gRPC endpoint.</summary>
public sealed record ShardEndpoint(string Node, int Index, string Address);
