using System.Diagnostics;
using Dnet.Benchmarks.Shared;
using Dnet.Inference.Kernels;
using Dnet.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Dnet.Benchmarks.Engine;

/// <summary>
/// Single-row (decode) matrix products of dnet-bench-135m's real shapes: libtorch's <c>linear</c> against Dnet's SIMD
/// kernel over the same weight memory, in f32 and bf16, as GB/s of weights read, next to the machine's read
/// bandwidth. Each shape gets enough distinct matrices (> 256 MB) that they cannot stay in cache, as in decode.
/// Options: <c>--threads N</c> (both libtorch and the kernel), <c>--seconds S</c> per measurement (default 1),
/// <c>--prompt-rows 67,128</c> (prompt-chunk products on the kernel and on the bf16 matrix units, <see cref="PromptProducts"/>;
/// default none).
/// </summary>
static unsafe class LinearBandwidth
{
    internal static readonly (string Name, int Out, int In)[] Shapes =
    [
        ("q|k|v 576->960", 960, 576),
        ("o_proj 576->576", 576, 576),
        ("gate|up 576->3072", 3072, 576),
        ("down_proj 1536->576", 576, 1536),
        ("lm_head 576->49152", 49152, 576),
    ];

    const long WorkingSetBytes = 256L << 20;

    public static object Run(string[] args)
    {
        int threads = BenchOptions.Int(args, "--threads", torch.get_num_threads());
        double seconds = double.Parse(BenchOptions.String(args, "--seconds", "1"), System.Globalization.CultureInfo.InvariantCulture);
        torch.set_num_threads(threads);
        var (readGBps, _) = MemoryBandwidth.Measure();
        Console.Error.WriteLine($"linear: read bandwidth {readGBps:F1} GB/s, {threads} threads, kernel SIMD {MatMul.Best}");
        using var group = new WorkerGroup(threads);
        var projection = new Projection(group, MatMul.Best);
        var tiles = TileCode.IsSupported ? new TileProjection(group) : null;
        var rows = new List<object>();
        foreach (var (name, outFeatures, inFeatures) in Shapes)
        {
            foreach (var dtype in new[] { ComputeDtype.Float32, ComputeDtype.BFloat16 })
            {
                var (torchGBps, kernelGBps, tilesGBps) = Measure(projection, dtype == ComputeDtype.BFloat16 ? tiles : null, outFeatures, inFeatures, dtype, seconds);
                Console.Error.WriteLine($"linear: {name} {dtype.Name()}: libtorch {torchGBps:F1} GB/s, kernel {kernelGBps:F1} GB/s, tiles {tilesGBps:F1} GB/s");
                rows.Add(new
                {
                    Shape = name,
                    Dtype = dtype.Name(),
                    LibtorchGBps = Math.Round(torchGBps, 2),
                    KernelGBps = Math.Round(kernelGBps, 2),
                    LibtorchOfRead = Math.Round(torchGBps / readGBps, 3),
                    KernelOfRead = Math.Round(kernelGBps / readGBps, 3),
                    // bf16 on the AMX tiles (TileProjection), where the CPU has them.
                    TilesGBps = tilesGBps is { } t ? Math.Round(t, 2) : (double?)null,
                    TilesOfRead = tilesGBps is { } r ? Math.Round(r / readGBps, 3) : (double?)null,
                });
            }
        }
        int[] promptRows = BenchOptions.IntList(args, "--prompt-rows", "");
        var promptProducts = promptRows.Length == 0 ? [] : PromptProducts.Measure(promptRows, threads, seconds);
        return new
        {
            Benchmark = "linear",
            Cores = Environment.ProcessorCount,
            Threads = threads,
            KernelSimd = MatMul.Best.ToString(),
            LoadAverageAtEnd = BenchOptions.LoadAverage(),
            MemoryReadGBps = Math.Round(readGBps, 2),
            Results = rows,
            PromptProducts = promptProducts,
        };
    }

    static (double Torch, double Kernel, double? Tiles) Measure(Projection projection, TileProjection? tiles, int outFeatures, int inFeatures, ComputeDtype dtype, double seconds)
    {
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        var scalarType = dtype == ComputeDtype.Float32 ? ScalarType.Float32 : ScalarType.BFloat16;
        long bytes = (long)outFeatures * inFeatures * dtype.ElementSize();
        int copies = (int)Math.Max(2, WorkingSetBytes / bytes);
        var weights = Enumerable.Range(0, copies).Select(_ => torch.randn(outFeatures, inFeatures).to(scalarType)).ToArray();
        var x = torch.randn(1, inFeatures).to(scalarType);
        var x32 = new float[inFeatures];
        var y32 = new float[outFeatures];
        var fused = weights.Select(w => new FusedWeight(new Weight(Pointer(w), outFeatures, inFeatures, dtype))).ToArray();

        double torchGBps = Rate(bytes, seconds, i =>
        {
            using var y = torch.nn.functional.linear(x, weights[i % copies]);
        });
        double kernelGBps;
        fixed (float* xp = x32, yp = y32)
        {
            float* xs = xp, ys = yp;
            kernelGBps = Rate(bytes, seconds, i => projection.Run(fused[i % copies], xs, 1, ys, outFeatures));
        }
        double? tilesGBps = null;
        if (tiles is not null)
        {
            // The tiles read their own copies of the same matrices; the kernel's stay untouched meanwhile.
            foreach (var f in fused)
            {
                f.Tile();
            }
            fixed (float* xp = x32, yp = y32)
            {
                float* xs = xp, ys = yp;
                tilesGBps = Rate(bytes, seconds, i => tiles.Run(fused[i % copies], xs, 1, ys, outFeatures));
            }
            foreach (var f in fused)
            {
                f.Untile();
            }
        }
        return (torchGBps, kernelGBps, tilesGBps);
    }

    static byte* Pointer(Tensor tensor)
    {
        fixed (byte* p = tensor.bytes)
        {
            return p; // native tensor memory: does not move
        }
    }

    /// <summary>Weight bytes per second over calls that each read one matrix, after a warm-up pass.</summary>
    static double Rate(long bytesPerCall, double seconds, Action<int> call)
    {
        for (int i = 0; i < 8; i++)
        {
            call(i);
        }
        var watch = Stopwatch.StartNew();
        int calls = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            call(calls++);
        }
        return bytesPerCall * (double)calls / watch.Elapsed.TotalSeconds / 1e9;
    }
}
