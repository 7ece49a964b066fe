using System.Diagnostics;
using Dnet.Inference.Model;
using Dnet.Models;

namespace Dnet.Benchmarks.Engine;

/// <summary>
/// Decode throughput with N sequences in one forward per round, as a shard runs them: each sequence gets a short
/// prompt (prefilled together in one batch), then every round decodes one token of every sequence.
/// </summary>
static class BatchedDecode
{
    const int Prompt = 16;
    const int Rounds = 32;

    /// <summary>Positions a sequence reaches: a slice measured here needs at least this KV capacity.</summary>
    public const int ContextTokens = Prompt + Rounds;

    public static BatchedDecodeResult Measure(ModelSlice slice, int sequences, ComputeDtype dtype)
    {
        int vocab = slice.Config.VocabSize;
        var ids = Enumerable.Range(0, sequences).Select(i => $"batch-{sequences}-{i}").ToArray();
        var outputs = slice.Forward([.. ids.Select((id, i) =>
            new SequenceStep(id, SliceInput.FromTokens([.. Enumerable.Range(0, Prompt).Select(t => (t * 7919 + i * 104729 + 11) % vocab)]), 0))]);
        var watch = Stopwatch.StartNew();
        for (int round = 0; round < Rounds; round++)
        {
            var steps = ids.Select((id, i) =>
            {
                var logits = outputs[i].Logits!;
                return new SequenceStep(id, SliceInput.FromTokens([Array.IndexOf(logits, logits.Max())]), Prompt + round);
            }).ToList();
            outputs = slice.Forward(steps);
        }
        double seconds = watch.Elapsed.TotalSeconds;
        foreach (string id in ids)
        {
            slice.Free(id);
        }
        double rate = sequences * Rounds / seconds;
        Console.Error.WriteLine($"engine: {dtype} batched decode of {sequences}: {rate:F1} tok/s ({seconds / Rounds * 1000:F1} ms per round)");
        return new BatchedDecodeResult(sequences, Math.Round(rate, 1), Math.Round(seconds / Rounds * 1000, 2));
    }
}

/// <summary>Batched decode at one batch size.</summary>
sealed record BatchedDecodeResult(int Sequences, double TokensPerS, double MsPerRound);
