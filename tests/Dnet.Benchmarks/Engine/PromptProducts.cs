using System.Diagnostics;
using Dnet.Inference.Kernels;
using Dnet.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Dnet.Benchmarks.Engine;

/// <summary>
/// Products of many rows (prompt chunks, batched decode) of dnet-bench-135m's shapes in bf16: Dnet's float32-FMA kernel
/// against its AMX tile products (<see cref="TileProjection"/>), both on the same worker threads, as GFLOP/s, calls
/// alternating so both see the same machine. Part of <c>linear</c>, with <c>--prompt-rows 8,32,67,128</c>.
/// </summary>
static unsafe class PromptProducts
{
    // The layers' shapes: lm_head multiplies one row per sequence and step, never a chunk.
    static readonly (string Name, int Out, int In)[] Shapes = [.. LinearBandwidth.Shapes.Where(s => !s.Name.StartsWith("lm_head", StringComparison.Ordinal))];

    public static List<object> Measure(int[] rowCounts, int threads, double seconds)
    {
        var rows = new List<object>();
        if (!TileCode.IsSupported)
        {
            Console.Error.WriteLine("linear: no AMX-BF16 tiles here; products of many rows skipped");
            return rows;
        }
        using var group = new WorkerGroup(threads);
        var kernel = new Projection(group, MatMul.Best);
        var tiles = new TileProjection(group);
        foreach (int m in rowCounts)
        {
            foreach (var (name, n, k) in Shapes)
            {
                using var scope = torch.NewDisposeScope();
                var weights = torch.randn(n, k).to(ScalarType.BFloat16);
                float[] x = torch.randn(m, k).data<float>().ToArray();
                var y = new float[m * n];
                Weight weight;
                fixed (byte* p = weights.bytes)
                {
                    weight = new Weight(p, n, k, ComputeDtype.BFloat16); // native tensor memory: does not move
                }
                // The kernel reads the parts in place and the tiles their copy: one fused weight serves both.
                var fused = new FusedWeight(weight);
                fused.Tile();
                double flops = 2.0 * m * n * k;
                var (kernelSeconds, tilesSeconds) = (new List<double>(), new List<double>());
                fixed (float* xp = x, yp = y)
                {
                    float* xs = xp, ys = yp;
                    for (int round = 0; round < 5; round++)
                    {
                        kernelSeconds.Add(Time(seconds / 10, () => kernel.Run(fused, xs, m, ys, n)));
                        tilesSeconds.Add(Time(seconds / 10, () => tiles.Run(fused, xs, m, ys, n)));
                    }
                }
                fused.Untile();
                double kernelGflops = flops / kernelSeconds.Order().ElementAt(2) / 1e9;
                double tilesGflops = flops / tilesSeconds.Order().ElementAt(2) / 1e9;
                Console.Error.WriteLine($"linear: {m} rows {name} bf16: kernel {kernelGflops:F0} GFLOP/s, tiles {tilesGflops:F0} GFLOP/s");
                rows.Add(new
                {
                    Rows = m,
                    Shape = name,
                    KernelGflops = Math.Round(kernelGflops, 1),
                    TilesGflops = Math.Round(tilesGflops, 1),
                    TilesOverKernel = Math.Round(tilesGflops / kernelGflops, 2),
                });
            }
        }
        return rows;
    }

    /// <summary>Seconds per call over calls made for about <paramref name="seconds"/>, after two warm-up calls.</summary>
    static double Time(double seconds, Action call)
    {
        call();
        call();
        var watch = Stopwatch.StartNew();
        int calls = 0;
        while (watch.Elapsed.TotalSeconds < seconds || calls < 3)
        {
            call();
            calls++;
        }
        return watch.Elapsed.TotalSeconds / calls;
    }
}
