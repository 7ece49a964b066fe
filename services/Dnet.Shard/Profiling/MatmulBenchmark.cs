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

    public static double Gflops(string computeDtype, TimeSpan budget)
    {
        var type = computeDtype == ProfileDtype.Float32 ? torch.ScalarType.Float32 : torch.ScalarType.BFloat16;
        using var inference = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(Rows, Inner).to(type);
        var b = torch.randn(Inner, Columns).to(type);
        for (int warmup = 0; warmup < 2; warmup++)
        {
            a.matmul(b).Dispose();
        }

        long products = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < budget)
        {
            a.matmul(b).Dispose();
            products++;
        }
        return 2.0 * Rows * Inner * Columns * products / clock.Elapsed.TotalSeconds / 1e9;
    }
}
