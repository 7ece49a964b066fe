namespace Dnet.Inference.Model;

/// <summary>What a slice produces: a hidden state for the next slice, or (last slice) last-position logits.</summary>
public sealed record SliceOutput
{
    SliceOutput(ActivationFrame? activations, float[]? logits)
    {
        Activations = activations;
        Logits = logits;
    }

    /// <summary>Hidden state [tokens, hidden] for the next slice; null on the last slice.</summary>
    public ActivationFrame? Activations { get; }

    /// <summary>Float32 logits [vocab] of the last position (hand <c>Logits.AsSpan()</c> to a sampler); last slice only.</summary>
    public float[]? Logits { get; }

    /// <summary>Output of a middle or first slice.</summary>
    public static SliceOutput FromActivations(ActivationFrame activations) => new(activations, null);

    /// <summary>Output of the last slice.</summary>
    public static SliceOutput FromLogits(float[] logits) => new(null, logits);
}
