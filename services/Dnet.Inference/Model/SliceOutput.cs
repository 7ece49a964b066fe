namespace Dnet.Inference.Model;

/// <summary>What a slice produces: a hidden state for the next slice, or (last slice) last-position logits.</summary>
public sealed record SliceOutput
{
    LogitsPool? _pool;

    SliceOutput(ActivationFrame? activations, float[]? logits, LogitsPool? pool = null)
    {
        Activations = activations;
        Logits = logits;
        _pool = pool;
    }

    /// <summary>Hidden state [tokens, hidden] for the next slice; null on the last slice.</summary>
    public ActivationFrame? Activations { get; }

    /// <summary>Float32 logits [vocab] of the last position (hand <c>Logits.AsSpan()</c> to a sampler); last slice only.</summary>
    public float[]? Logits { get; }

    /// <summary>Output of a middle or first slice.</summary>
    public static SliceOutput FromActivations(ActivationFrame activations) => new(activations, null);

    /// <summary>Output of the last slice.</summary>
    public static SliceOutput FromLogits(float[] logits) => new(null, logits);

    /// <summary>Output of the last slice whose logits array came from (and may go back to) the slice's pool.</summary>
    internal static SliceOutput FromPooledLogits(float[] logits, LogitsPool pool) => new(null, logits, pool);

    /// <summary>
    /// Hands <see cref="Logits"/> back to the slice for a later step once they have been read (sampled); the caller
    /// must not touch the array afterwards. Optional: an array never returned is collected as usual. Only the first
    /// call hands it back, so one array never serves two later steps at once.
    /// </summary>
    public void ReturnLogits()
    {
        if (Logits is { } logits && Interlocked.Exchange(ref _pool, null) is { } pool)
        {
            pool.Return(logits);
        }
    }
}
