namespace Dnet.Inference.Model;

/// <summary>One sequence's part of a batched forward: its input rows at positions [StartPosition, StartPosition + tokens).</summary>
/// <param name="SequenceId">The request id that owns the KV cache.</param>
/// <param name="Input">Token ids (first slice) or hidden rows (later slices): one decode token, or a prefill chunk.</param>
/// <param name="StartPosition">Position of the first row; at most the cached length (a step may rewrite a suffix).</param>
public sealed record SequenceStep(string SequenceId, SliceInput Input, int StartPosition);
