using Dnet.Inference.Model;
using Dnet.Models;

namespace Dnet.Inference.Tests;

/// <summary>Drives slices the way a ring of shards would: prefill, then one token per step.</summary>
static class EngineRun
{
    public static readonly ModelSliceOptions F32 = new() { ComputeDtype = ComputeDtype.Float32 };

    public static int[] Prompt(int length, int vocab, int seed = 7) =>
        [.. Enumerable.Range(0, length).Select(i => (i * 131 + seed * 17 + 3) % vocab)];

    /// <summary>Logits after feeding tokens[..prefill] in one step and the rest one by one.</summary>
    public static float[] LastLogits(IReadOnlyList<ModelSlice> ring, string sequence, int[] tokens, int prefill)
    {
        var logits = Step(ring, sequence, tokens[..prefill], 0);
        for (int t = prefill; t < tokens.Length; t++)
        {
            logits = Step(ring, sequence, [tokens[t]], t);
        }
        return logits;
    }

    /// <summary>One step through every slice, passing activations between them as wire bytes.</summary>
    public static float[] Step(IReadOnlyList<ModelSlice> ring, string sequence, int[] tokens, int start)
    {
        var input = SliceInput.FromTokens(tokens);
        foreach (var slice in ring)
        {
            var output = slice.Forward(sequence, input, start);
            if (output.Logits is { } logits)
            {
                return logits;
            }
            input = SliceInput.FromActivations(output.Activations!);
        }
        throw new InvalidOperationException("the ring has no last slice");
    }

    public static float[] WholeModel(string folder, int[] tokens, int prefill, ModelSliceOptions? options = null)
    {
        var config = ModelConfig.Load(folder);
        using var slice = ModelSlice.Load(folder, LayerRange.All(config.NumHiddenLayers), options ?? F32);
        return LastLogits([slice], "s", tokens, prefill);
    }
}
