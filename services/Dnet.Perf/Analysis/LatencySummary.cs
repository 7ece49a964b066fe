namespace Dnet.Perf;

/// <summary>Distribution of a set of durations, in milliseconds; percentiles per <see cref="Percentiles.Method"/>.</summary>
/// <param name="Count">Number of samples.</param>
/// <param name="MeanMs">Arithmetic mean.</param>
/// <param name="P50Ms">Median.</param>
/// <param name="P90Ms">90th percentile.</param>
/// <param name="P99Ms">99th percentile.</param>
/// <param name="MinMs">Smallest sample.</param>
/// <param name="MaxMs">Largest sample.</param>
public sealed record LatencySummary(int Count, double MeanMs, double P50Ms, double P90Ms, double P99Ms, double MinMs, double MaxMs)
{
    /// <summary>Summarizes durations in nanoseconds; null when there are none.</summary>
    /// <param name="durationsNs">Samples in nanoseconds, any order (sorted in place).</param>
    public static LatencySummary? FromNs(List<long> durationsNs)
    {
        ArgumentNullException.ThrowIfNull(durationsNs);
        if (durationsNs.Count == 0)
        {
            return null;
        }

        durationsNs.Sort();
        var sorted = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(durationsNs);
        var sum = 0.0;
        foreach (var d in sorted)
        {
            sum += d;
        }

        return new LatencySummary(
            sorted.Length,
            Ms(sum / sorted.Length),
            Ms(Percentiles.OfSorted(sorted, 0.50)),
            Ms(Percentiles.OfSorted(sorted, 0.90)),
            Ms(Percentiles.OfSorted(sorted, 0.99)),
            UnixTime.Ms(sorted[0]),
            UnixTime.Ms(sorted[^1]));
    }

    private static double Ms(double ns) => ns / 1e6;
}
