using Dnet.Models;

namespace Dnet.Inference.Model;

// Admission of a batch: every step checked and its cache locked before anything is computed.
public sealed partial class ModelSlice
{
    /// <summary>Checks every step and locks its sequence's cache (made for a sequence that starts now); all or none.</summary>
    SequenceKv[] Admit(IReadOnlyList<SequenceStep> steps)
    {
        var caches = new List<SequenceKv>(steps.Count);
        try
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < steps.Count; i++)
            {
                var step = steps[i];
                try
                {
                    CheckInput(step.Input);
                    if (!seen.Add(step.SequenceId))
                    {
                        throw new ArgumentException($"sequence '{step.SequenceId}' has two steps in one batch");
                    }
                    var kv = _kv.Find(step.SequenceId);
                    if (kv is null)
                    {
                        if (step.StartPosition != 0)
                        {
                            throw new KvCacheFullException(step.SequenceId,
                                $"step starts at position {step.StartPosition} but the sequence has no cache here (never started, or freed)");
                        }
                        if (step.Input.Tokens > _kv.Capacity)
                        {
                            throw new KvCacheFullException(step.SequenceId,
                                $"step of {step.Input.Tokens} tokens at position 0 exceeds the KV cache capacity of {_kv.Capacity} tokens");
                        }
                        continue;
                    }
                    Monitor.Enter(kv.Gate);
                    caches.Add(kv);
                    ObjectDisposedException.ThrowIf(kv.Freed, kv);
                    kv.CheckStep(step.StartPosition, step.Input.Tokens);
                }
                catch (Exception e) when (e is ArgumentException or KvCacheFullException or ObjectDisposedException)
                {
                    throw new StepRejectedException(i, step.SequenceId, e);
                }
            }
            // Only now, with every step accepted, do new sequences get memory.
            var ordered = new SequenceKv[steps.Count];
            for (int i = 0; i < steps.Count; i++)
            {
                var kv = caches.Find(c => c.SequenceId == steps[i].SequenceId);
                if (kv is null)
                {
                    kv = _kv.Start(steps[i].SequenceId);
                    Monitor.Enter(kv.Gate);
                    caches.Add(kv);
                    if (kv.Freed)
                    {
                        // Freed by another thread between being made and being locked.
                        throw new StepRejectedException(i, steps[i].SequenceId, new ObjectDisposedException(nameof(SequenceKv)));
                    }
                }
                ordered[i] = kv;
            }
            return ordered;
        }
        catch
        {
            foreach (var kv in caches)
            {
                Monitor.Exit(kv.Gate);
            }
            throw;
        }
    }

    void CheckInput(SliceInput input)
    {
        if (IsFirst)
        {
            if (input.TokenIds is not { } ids)
            {
                throw new ArgumentException($"layer 0 takes token ids, got a hidden state", nameof(input));
            }
            if (ids.Length == 0)
            {
                throw new ArgumentException("a step needs at least one token", nameof(input));
            }
            if (ids.Any(id => (uint)id >= (uint)Config.VocabSize))
            {
                throw new ArgumentOutOfRangeException(nameof(input), $"token ids must lie in [0, {Config.VocabSize})");
            }
            return;
        }
        var frame = input.Activations ?? throw new ArgumentException($"layer {Layers.Start} takes a hidden state, got token ids", nameof(input));
        long expected = (long)frame.Tokens * frame.HiddenSize * frame.Dtype.ElementSize();
        if (frame.Tokens == 0 || frame.HiddenSize != Config.HiddenSize || frame.Data.Length != expected)
        {
            throw new ArgumentException(
                $"layer {Layers.Start} takes a non-empty [tokens, {Config.HiddenSize}] hidden state, got [{frame.Tokens}, {frame.HiddenSize}] in {frame.Data.Length} bytes", nameof(input));
        }
    }
}
