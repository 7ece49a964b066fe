namespace Dnet.Inference.Model;

/// <summary>What a slice consumes: token ids (first slice) or the previous slice's hidden state.</summary>
public sealed record SliceInput
{
    SliceInput(int[]? tokenIds, ActivationFrame? activations)
    {
        TokenIds = tokenIds;
        Activations = activations;
    }

    /// <summary>Token ids, one per position; set for the first slice.</summary>
    public int[]? TokenIds { get; }

    /// <summary>Hidden state [tokens, hidden]; set for later slices.</summary>
    public ActivationFrame? Activations { get; }

    /// <summary>Number of positions in this step.</summary>
    public int Tokens => TokenIds?.Length ?? Activations!.Tokens;

    /// <summary>Input for the first slice.</summary>
    public static SliceInput FromTokens(int[] tokenIds) => new(tokenIds, null);

    /// <summary>Input for a later slice.</summary>
    public static SliceInput FromActivations(ActivationFrame activations) => new(null, activations);
}
