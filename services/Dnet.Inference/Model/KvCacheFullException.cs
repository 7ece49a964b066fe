namespace Dnet.Inference.Model;

/// <summary>A step would write past the KV cache capacity of its sequence (or leave a gap in it).</summary>
/// <param name="sequenceId">The sequence (request id).</param>
/// <param name="message">What went wrong, with positions and capacity.</param>
public sealed class KvCacheFullException(string sequenceId, string message) : Exception($"sequence '{sequenceId}': {message}")
{
    /// <summary>The sequence whose step was refused.</summary>
    public string SequenceId { get; } = sequenceId;
}
