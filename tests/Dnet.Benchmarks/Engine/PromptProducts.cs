using System.Diagnostics;
using Dnet.Inference.Kernels;
using Dnet.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Dnet.Benchmarks.Engine;

/// <summary>
/// Prompt-chunk products of dnet-bench-135m's shapes in bf16: Dnet's float32-FMA kernel against the CPU's bf16 matrix
/// units (<see cref="PromptProjection"/>: oneDNN through libtorch, single-threaded), as GFLOP/s, calls
/// alternating so both see the same machine. Part of <c>linear</c>, with <c>--prompt-rows 67,128</c>.
/// </summary>
static unsafe class PromptProducts
{
    // The layers' shapes: lm_head multiplies one row per step, never a chunk.
    static readonly (string Name, int Out, int In)[] Shapes = [.. LinearBandwidth.Shapes.Where(s => !s.Name.StartsWith("lm_head", StringComparison.Ordinal))];

    public static List<object> Measure(int[] rowCounts, int threads, double seconds)
    {
        var rows = new List<object>();
        if (!MatrixUnits.HasBf16)
        {
            Console.Error.WriteLine("linear: this CPU has no bf16 matrix units; prompt products skipped");
            return rows;
        }
        using var group = new WorkerGroup(threads);
        var kernel = new Projection(group, MatMul.Best);
        using var units = new PromptProjection();
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
                var fused = new FusedWeight(weight);
                double flops = 2.0 * m * n * k;
                var (kernelSeconds, unitsSeconds) = (new List<double>(), new List<double>());
                fixed (float* xp = x, yp = y)
                {
                    float* xs = xp, ys = yp;
                    for (int round = 0; round < 5; round++)
                    {
                        kernelSeconds.Add(Time(seconds / 10, () => kernel.Run(fused, xs, m, ys, n)));
                        unitsSeconds.Add(Time(seconds / 10, () => units.Run(fused, xs, m, ys, n)));
                    }
                }
                double kernelGflops = flops / kernelSeconds.Order().ElementAt(2) / 1e9;
                double unitsGflops = flops / unitsSeconds.Order().ElementAt(2) / 1e9;
                Console.Error.WriteLine($"linear: {m} rows {name} bf16: kernel {kernelGflops:F0} GFLOP/s, matrix units {unitsGflops:F0} GFLOP/s");
                rows.Add(new
                {
                    Rows = m,
                    Shape = name,
                    KernelGflops = Math.Round(kernelGflops, 1),
                    MatrixUnitsGflops = Math.Round(unitsGflops, 1),
                    MatrixUnitsOverKernel = Math.Round(unitsGflops / kernelGflops, 2),
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
