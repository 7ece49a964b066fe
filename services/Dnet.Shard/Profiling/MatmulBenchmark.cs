using System.Diagnostics;
using TorchSharp;

namespace Dnet.Shard.Profiling;

/// <summary>
/// Sustained matmul throughput in the compute dtype through TorchSharp, the library the engine computes with (bf16 is
/// several times faster than f32 on CPUs with AVX-512 bf16, so a plain f32 figure would mislead the planner).
/// </summary>
internal static class MatmulBenchmark
{
    // A prefill-sized product: large enough to reach the library's peak, small enough to run many times in the budget.
    private const int Rows = 128, Inner = 1024, Columns = 1024;
    private const int MinimumWarmups = 3;

    /// <summary>
    /// Warms up for <paramref name="warmup"/> (the first products pay for thread pools and kernel selection, several
    /// times slower), then times single products for <paramref name="budget"/> and takes the median, which a burst of
    /// load on a shared machine does not move much.
    /// </summary>
    public static double Gflops(string computeDtype, TimeSpan warmup, TimeSpan budget)
    {
        var type = computeDtype == ProfileDtype.Float32 ? torch.ScalarType.Float32 : torch.ScalarType.BFloat16;
        using var inference = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(Rows, Inner).to(type);
        var b = torch.randn(Inner, Columns).to(type);

        var clock = Stopwatch.StartNew();
        for (int i = 0; i < MinimumWarmups || clock.Elapsed < warmup; i++)
        {
            a.matmul(b).Dispose();
        }

        var seconds = new List<double>();
        clock.Restart();
        while (clock.Elapsed < budget || seconds.Count < MinimumWarmups)
        {
            long start = Stopwatch.GetTimestamp();
            a.matmul(b).Dispose();
            seconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        seconds.Sort();
        return 2.0 * Rows * Inner * Columns / seconds[seconds.Count / 2] / 1e9;
    }
}
