namespace Dnet.Planner.Infrastructure;

/// <summary>No shard is configured, or none answered.</summary>
public sealed class NoShardsException(string message) : Exception(message);
