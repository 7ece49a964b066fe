namespace Dnet.Inference.Model;

/// <summary>
/// A batched forward refused one of its steps (bad input, KV cache full or missing, sequence freed) before computing
/// anything: no cache was touched. Drop that step and send the others again.
/// </summary>
/// <param name="stepIndex">Index of the refused step in the batch.</param>
/// <param name="sequenceId">Its sequence (request id).</param>
/// <param name="reason">Why: a <see cref="KvCacheFullException"/>, <see cref="ArgumentException"/> or <see cref="ObjectDisposedException"/>.</param>
public sealed class StepRejectedException(int stepIndex, string sequenceId, Exception reason)
    : Exception($"step {stepIndex} (sequence '{sequenceId}') refused: {reason.Message}", reason)
{
    /// <summary>Index of the refused step in the batch.</summary>
    public int StepIndex { get; } = stepIndex;

    /// <summary>The refused step's sequence.</summary>
    public string SequenceId { get; } = sequenceId;
}
