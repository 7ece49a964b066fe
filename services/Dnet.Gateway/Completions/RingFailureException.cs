namespace Dnet.Gateway.Completions;

/// <summary>The ring could not finish a request: a shard failed, died or stalled.</summary>
internal sealed class RingFailureException(string message) : Exception(message);
