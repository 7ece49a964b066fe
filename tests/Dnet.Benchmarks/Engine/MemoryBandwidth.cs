using System.Diagnostics;
using TorchSharp;

namespace Dnet.Benchmarks.Engine;

/// <summary>
/// Memory bandwidth as torch sees it on this machine: summing a 512 MiB tensor (read only, like decode reading
/// weights) and copying one (read + write). Best of several runs, so a noisy neighbour shows less.
/// </summary>
static class MemoryBandwidth
{
    const long Elements = 128L << 20; // 512 MiB of float32

    public static (double ReadGBps, double CopyGBps) Measure(int repeats = 5)
    {
        using var scope = torch.NewDisposeScope();
        using var source = torch.rand(Elements);
        using var target = torch.empty(Elements);
        target.copy_(source);
        double bestRead = double.MaxValue, bestCopy = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            source.sum().item<float>();
            bestRead = Math.Min(bestRead, watch.Elapsed.TotalSeconds);
            watch.Restart();
            target.copy_(source);
            bestCopy = Math.Min(bestCopy, watch.Elapsed.TotalSeconds);
        }
        double bytes = Elements * 4.0;
        return (bytes / bestRead / 1e9, 2 * bytes / bestCopy / 1e9);
    }
}
