using System.Diagnostics;

namespace Dnet.Shard.Profiling;

/// <summary>Usable memory and memory bandwidth of this machine.</summary>
internal static class MemoryBenchmark
{
    // Far larger than any last-level cache, so the copy runs at DRAM speed.
    private const int CopyBytes = 64 * 1024 * 1024;
    private const int TimedCopies = 4;

    /// <summary>
    /// MemAvailable from /proc/meminfo (what the kernel can give without swapping), or the GC's view of available
    /// memory where there is no /proc (macOS, Windows).
    /// </summary>
    public static long UsableBytes()
    {
        const string meminfo = "/proc/meminfo";
        if (File.Exists(meminfo))
        {
            foreach (string line in File.ReadLines(meminfo))
            {
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        var gc = GC.GetGCMemoryInfo();
        return gc.TotalAvailableMemoryBytes - gc.MemoryLoadBytes;
    }

    /// <summary>Best of a few large array copies, counting bytes read plus bytes written (the STREAM "copy" convention).</summary>
    public static double BandwidthGbps()
    {
        var source = GC.AllocateUninitializedArray<byte>(CopyBytes);
        var target = GC.AllocateUninitializedArray<byte>(CopyBytes);
        source.AsSpan().Fill(1);
        source.AsSpan().CopyTo(target);

        double best = double.MaxValue;
        for (int i = 0; i < TimedCopies; i++)
        {
            long start = Stopwatch.GetTimestamp();
            source.AsSpan().CopyTo(target);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return 2.0 * CopyBytes / best / 1e9;
    }
}
