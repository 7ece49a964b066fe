namespace Dnet.Planner.Infrastructure;

/// <summary>No shard is a member, membership cannot be read, or no member answered.</summary>
public sealed class NoShardsException(string message) : Exception(message);
