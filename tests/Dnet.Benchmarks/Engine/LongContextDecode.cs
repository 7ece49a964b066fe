using System.Diagnostics;
using Dnet.Inference.Model;

namespace Dnet.Benchmarks.Engine;

/// <summary>
/// Decode speed deep into a context: prefill <see cref="Context"/> tokens (in chunks of 128, as a shard would), then
/// greedy-decode <see cref="Tokens"/> tokens. Against tg128 it shows what attention over a long cache costs per token
/// (the weights read per token are the same at any position).
/// </summary>
static class LongContextDecode
{
    public const int Context = 1024;
    const int Tokens = 32;
    const int Chunk = 128;

    public static double TokensPerS(ModelSlice slice)
    {
        int vocab = slice.Config.VocabSize;
        int[] prompt = [.. Enumerable.Range(0, Context).Select(i => (i * 7919 + 17) % vocab)];
        float[] logits = [];
        for (int start = 0; start < Context; start += Chunk)
        {
            logits = slice.Forward("long-context", SliceInput.FromTokens(prompt[start..Math.Min(Context, start + Chunk)]), start).Logits!;
        }
        var watch = Stopwatch.StartNew();
        for (int t = 0; t < Tokens; t++)
        {
            int next = Array.IndexOf(logits, logits.Max());
            logits = slice.Forward("long-context", SliceInput.FromTokens([next]), Context + t).Logits!;
        }
        double rate = Tokens / watch.Elapsed.TotalSeconds;
        slice.Free("long-context");
        Console.Error.WriteLine($"engine: decode at {Context} tokens of context: {rate:F1} tok/s");
        return rate;
    }
}
