using System.Diagnostics;
using Dnet.Inference.Model;
using Dnet.ModelGeneration;
using Dnet.Models;

namespace Dnet.Benchmarks.Engine;

/// <summary>
/// Whole-model speed of dnet-bench-135m (SmolLM2-135M's shape) on one process: prefill of 128 tokens (pp128) and
/// 128 decode steps (tg128) in f32 and bf16, against the decode speed memory bandwidth would allow, then batched
/// decode of 1, 8 and 32 sequences at once (one forward per round, a row per sequence), and decode 1,024 tokens deep
/// into a context (<see cref="LongContextDecode"/>).
/// Options: <c>--model NAME|FOLDER</c>, <c>--repeats N</c>, <c>--threads N</c> (kernel threads; default: torch's),
/// <c>--dtypes f32,bf16</c>, <c>--batches 1,8,32</c>.
/// </summary>
static class EngineBenchmark
{
    const int PromptTokens = 128;
    const int DecodeTokens = 128;

    public static object Run(string[] args)
    {
        string? loadAtStart = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : null;
        string model = Option(args, "--model") ?? GeneratedModelSpec.DnetBench135M.Name;
        int repeats = int.Parse(Option(args, "--repeats") ?? "3");
        if (Option(args, "--threads") is { } threads)
        {
            TorchSharp.torch.set_num_threads(int.Parse(threads));
        }
        string folder = ModelResolver.Resolve(model, progress: new StderrProgress());
        Console.Error.WriteLine($"engine: model at {folder}; measuring memory bandwidth");
        var (readGBps, copyGBps) = MemoryBandwidth.Measure();
        Console.Error.WriteLine($"engine: read {readGBps:F1} GB/s, copy {copyGBps:F1} GB/s");
        int[] batches = [.. (Option(args, "--batches") ?? "1,8,32").Split(',').Select(int.Parse)];
        // bf16 is the engine's default path (the AMX tiles where the machine has them); bf16-kernel forces the float32-FMA kernel.
        string defaultDtypes = ModelSlice.MatrixTilesAvailable ? "f32,bf16,bf16-kernel" : "f32,bf16";
        var results = (Option(args, "--dtypes") ?? defaultDtypes).Split(',')
            .Select(name => Measure(folder, name == "f32" ? ComputeDtype.Float32 : ComputeDtype.BFloat16, kernelOnly: name == "bf16-kernel", repeats, readGBps, batches))
            .ToList();
        var f32 = results.Find(r => r.Dtype == nameof(ComputeDtype.Float32));
        var bf16 = results.Find(r => r.Dtype == nameof(ComputeDtype.BFloat16));
        var kernel = results.Find(r => r.Dtype == KernelName);
        return new
        {
            Benchmark = "engine",
            Model = model,
            Cores = Environment.ProcessorCount,
            TorchThreads = TorchSharp.torch.get_num_threads(),
            // Shared machines: a load well above the core count means the numbers below are pessimistic.
            LoadAverageAtStart = loadAtStart,
            LoadAverageAtEnd = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : null,
            KernelSimd = Dnet.Inference.Kernels.MatMul.Best.ToString(),
            Bf16OverF32Decode = f32 is null || bf16 is null ? (double?)null : Math.Round(bf16.Tg128TokensPerS / f32.Tg128TokensPerS, 2),
            // bf16 on the tiles over bf16 on the kernel, where both ran.
            TilesOverKernelDecode = kernel is null || bf16 is not { OnTiles: true } ? (double?)null : Math.Round(bf16.Tg128TokensPerS / kernel.Tg128TokensPerS, 2),
            TilesOverKernelPrefill = kernel is null || bf16 is not { OnTiles: true } ? (double?)null : Math.Round(bf16.Pp128TokensPerS / kernel.Pp128TokensPerS, 2),
            MemoryReadGBps = Math.Round(readGBps, 2),
            MemoryCopyGBps = Math.Round(copyGBps, 2),
            Results = results,
        };
    }

    /// <summary>The result name of bf16 held to the float32-FMA kernel (<see cref="ModelSliceOptions.MatrixTiles"/> false).</summary>
    const string KernelName = "BFloat16 (kernel)";

    static EngineResult Measure(string folder, ComputeDtype dtype, bool kernelOnly, int repeats, double readGBps, int[] batches)
    {
        var load = Stopwatch.StartNew();
        using var slice = ModelSlice.Load(folder, LayerRange.All(ModelConfig.Load(folder).NumHiddenLayers),
            new ModelSliceOptions { ComputeDtype = dtype, MatrixTiles = kernelOnly ? false : null, MaxContextTokens = LongContextDecode.Context + 64, Threads = TorchSharp.torch.get_num_threads() });
        double loadSeconds = load.Elapsed.TotalSeconds;
        int vocab = slice.Config.VocabSize;
        int[] prompt = [.. Enumerable.Range(0, PromptTokens).Select(i => (i * 7919 + 11) % vocab)];
        Console.Error.WriteLine($"engine: {dtype} loaded in {loadSeconds:F2} s; warming up");
        var (warmPrefill, warmDecode) = RunOnce(slice, prompt, "warm-up");
        Console.Error.WriteLine($"engine: {dtype} warm-up: prefill {warmPrefill:F2} s, decode {warmDecode:F2} s");

        var prefill = new List<double>();
        var decode = new List<double>();
        long faultsBefore = PageFaults.Major();
        for (int r = 0; r < repeats; r++)
        {
            var (p, d) = RunOnce(slice, prompt, $"run-{r}");
            prefill.Add(p);
            decode.Add(d);
            Console.Error.WriteLine($"engine: {dtype} run {r + 1}/{repeats}: pp{PromptTokens} {PromptTokens / p:F1} tok/s, tg{DecodeTokens} {DecodeTokens / d:F1} tok/s");
        }
        long majorFaults = PageFaults.Major() - faultsBefore;
        var profile = ModelProfile.From(slice.Config, dtype);
        long bytesPerToken = profile.WeightBytesPerToken(slice.Layers);
        double idealDecode = readGBps * 1e9 / bytesPerToken;
        double decodeRate = DecodeTokens / Median(decode);
        var batched = batches.Select(b => BatchedDecode.Measure(slice, b, dtype)).ToList();
        double longContext = LongContextDecode.TokensPerS(slice);
        return new EngineResult(
            kernelOnly ? KernelName : dtype.ToString(),
            slice.OnMatrixTiles,
            Math.Round(loadSeconds, 3),
            Math.Round(PromptTokens / Median(prefill), 1),
            Math.Round(decodeRate, 1),
            Math.Round(Median(decode) / DecodeTokens * 1000, 2),
            bytesPerToken,
            Math.Round(idealDecode, 1),
            Math.Round(decodeRate / idealDecode, 3),
            majorFaults,
            batched,
            Math.Round(longContext, 1),
            Math.Round(longContext / decodeRate, 3));
    }

    /// <summary>Prefill the prompt in one step, then greedy-decode; returns (prefill seconds, decode seconds).</summary>
    internal static (double Prefill, double Decode) RunOnce(ModelSlice slice, int[] prompt, string sequence)
    {
        var watch = Stopwatch.StartNew();
        var logits = slice.Forward(sequence, SliceInput.FromTokens(prompt), 0).Logits!;
        double prefill = watch.Elapsed.TotalSeconds;
        watch.Restart();
        for (int t = 0; t < DecodeTokens; t++)
        {
            int next = Array.IndexOf(logits, logits.Max());
            logits = slice.Forward(sequence, SliceInput.FromTokens([next]), prompt.Length + t).Logits!;
        }
        double decode = watch.Elapsed.TotalSeconds;
        slice.Free(sequence);
        return (prefill, decode);
    }

    static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    sealed class StderrProgress : IProgress<GenerationProgress>
    {
        int _lastPercent = -1;

        public void Report(GenerationProgress value)
        {
            int percent = (int)(100 * value.BytesWritten / value.TotalBytes);
            if (percent / 10 != _lastPercent / 10)
            {
                _lastPercent = percent;
                Console.Error.WriteLine($"generating {value}");
            }
        }
    }
}

/// <summary>One compute dtype's numbers.</summary>
sealed record EngineResult(
    string Dtype,
    bool OnTiles,
    double LoadSeconds,
    double Pp128TokensPerS,
    double Tg128TokensPerS,
    double DecodeMsPerToken,
    long WeightBytesPerToken,
    double IdealTg128TokensPerS,
    double TgRatioToIdeal,
    long MajorPageFaults,
    IReadOnlyList<BatchedDecodeResult> BatchedDecode,
    double DecodeAt1kContextTokensPerS,
    double DecodeAt1kOverTg128);
