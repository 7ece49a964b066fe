namespace Dnet.Planner.Infrastructure;

/// <summary>A member shard: its name, the advertised address of its gRPC endpoint, its machine and how it started.</summary>
public sealed record ShardEndpoint(string Node, string Address, string Host, string Source);
