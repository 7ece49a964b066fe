using System.Diagnostics;
using Dnet.Inference.Model;
using Dnet.ModelGeneration;
using Dnet.Models;

namespace Dnet.Benchmarks.Serving;

/// <summary>
/// What the engine alone allows for a serving level's workload: the same requests (prompt and output tokens as the
/// level measured them) run in this process on one model slice with the shard's policy (every running sequence
/// decodes a row per forward, waiting prompts join up to the shard's prefill chunk budget), with no gateway, network,
/// client or tracing. Its output tokens/s over the 1-in-flight one is the batching ratio the hardware permits for the
/// workload: prefill is compute bound whatever the concurrency, so prompt tokens cap the ratio however well decode
/// batches. Beside it, the decode-only rate of as many sequences: the ratio batching reaches with prefill left out.
/// Run after the clusters stop, so nothing else competes for the cores.
/// </summary>
static class EngineBound
{
    /// <summary>The shard's default <c>Dnet:Shard:PrefillChunkTokens</c>.</summary>
    const int PrefillChunkTokens = 128;

    public static List<BoundLevel> Measure(string model, IReadOnlyList<LevelResult> levels)
    {
        string folder = ModelResolver.Resolve(model);
        var measured = levels.Where(l => l.CompletedRequests > 0).ToList();
        int prompt = (int)Math.Round(measured.Max(l => l.MeanPromptTokens));
        int output = (int)Math.Ceiling(measured.Max(l => (double)l.OutputTokens / l.CompletedRequests));
        using var slice = ModelSlice.Load(folder, LayerRange.All(ModelConfig.Load(folder).NumHiddenLayers),
            new ModelSliceOptions
            {
                ComputeDtype = ComputeDtype.BFloat16,
                MaxContextTokens = Math.Max(prompt + output + 1, Engine.BatchedDecode.ContextTokens),
                // The shard's setting, which the clusters inherited from this process's environment.
                MatrixTiles = bool.TryParse(Environment.GetEnvironmentVariable("Dnet__Shard__MatrixTiles"), out bool tiles) ? tiles : null,
            });
        Run(slice, prompt, output, concurrency: 1, requests: 1); // warm-up
        var bounds = new List<BoundLevel>();
        foreach (var level in measured)
        {
            int levelPrompt = (int)Math.Round(level.MeanPromptTokens);
            int levelOutput = Math.Max(1, (int)Math.Round((double)level.OutputTokens / level.CompletedRequests));
            double seconds = Run(slice, levelPrompt, levelOutput, level.Concurrency, level.CompletedRequests);
            double rate = level.CompletedRequests * levelOutput / seconds;
            Console.Error.WriteLine($"serve: engine alone, {level.Concurrency} in flight: {rate:F1} tok/s ({levelPrompt} prompt, {levelOutput} output tokens per request)");
            // The same number of sequences decoding with no prompt work at all: what batching gives if prefill were free.
            double decodeOnly = Engine.BatchedDecode.Measure(slice, level.Concurrency, ComputeDtype.BFloat16).TokensPerS;
            bounds.Add(new BoundLevel(level.Concurrency, levelPrompt, levelOutput, Math.Round(rate, 2), Math.Round(level.OutputTokensPerS / rate, 3), decodeOnly));
        }
        return bounds;
    }

    /// <summary>Seconds to serve <paramref name="requests"/> requests with at most <paramref name="concurrency"/> in flight.</summary>
    static double Run(ModelSlice slice, int prompt, int output, int concurrency, int requests)
    {
        int vocab = slice.Config.VocabSize;
        var running = new List<Sequence>();
        int started = 0;
        var watch = Stopwatch.StartNew();
        while (started < requests || running.Count > 0)
        {
            while (running.Count < concurrency && started < requests)
            {
                running.Add(new Sequence($"bound-{concurrency}-{started}", [.. Enumerable.Range(0, prompt).Select(t => (t * 7919 + started * 104729 + 11) % vocab)]));
                started++;
            }

            var steps = new List<SequenceStep>();
            var stepped = new List<Sequence>();
            int budget = PrefillChunkTokens;
            foreach (var sequence in running)
            {
                if (sequence.Position >= prompt)
                {
                    steps.Add(new SequenceStep(sequence.Id, SliceInput.FromTokens([sequence.Next]), sequence.Position));
                    stepped.Add(sequence);
                }
                else if (budget > 0)
                {
                    int chunk = Math.Min(budget, prompt - sequence.Position);
                    steps.Add(new SequenceStep(sequence.Id, SliceInput.FromTokens(sequence.Prompt[sequence.Position..(sequence.Position + chunk)]), sequence.Position));
                    stepped.Add(sequence);
                    budget -= chunk;
                }
            }

            var outputs = slice.Forward(steps);
            for (int i = 0; i < stepped.Count; i++)
            {
                var sequence = stepped[i];
                sequence.Position += steps[i].Input.Tokens;
                if (sequence.Position < prompt)
                {
                    outputs[i].ReturnLogits();
                    continue;
                }
                var logits = outputs[i].Logits!;
                sequence.Next = Array.IndexOf(logits, logits.Max());
                outputs[i].ReturnLogits(); // as the shard does after sampling
                if (++sequence.Generated >= output)
                {
                    slice.Free(sequence.Id);
                    running.Remove(sequence);
                }
            }
        }
        return watch.Elapsed.TotalSeconds;
    }

    sealed class Sequence(string id, int[] prompt)
    {
        public string Id { get; } = id;

        public int[] Prompt { get; } = prompt;

        public int Position { get; set; }

        public int Next { get; set; }

        public int Generated { get; set; }
    }
}

/// <summary>
/// One level's workload on the engine alone: its output tokens/s, the cluster's measured rate as a fraction of it, and
/// tokens/s of as many sequences decoding together with no prompts (<see cref="Engine.BatchedDecode"/>).
/// </summary>
sealed record BoundLevel(int Concurrency, int PromptTokens, int OutputTokensPerRequest, double EngineTokensPerS, double ClusterFraction, double DecodeOnlyTokensPerS);
