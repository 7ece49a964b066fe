namespace Dnet.Perf;

/// <summary>
/// Percentiles by linear interpolation between closest ranks (the "R-7" / Excel PERCENTILE.INC method):
/// rank h = (n - 1) p, value = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]). The result always lies
/// between the sample minimum and maximum, unlike the extrapolating method of the seed (p99 above max).
/// </summary>
public static class Percentiles
{
    /// <summary>Method statement printed in report headers.</summary>
    public const string Method = "linear interpolation between closest ranks (R-7; always within min..max)";

    /// <summary>The p-th quantile of ascending-sorted samples.</summary>
    /// <param name="sorted">Samples in ascending order; must not be empty.</param>
    /// <param name="p">Quantile in [0, 1], e.g. 0.99.</param>
    public static double OfSorted(ReadOnlySpan<long> sorted, double p)
    {
        if (sorted.IsEmpty)
        {
            throw new ArgumentException("No samples.", nameof(sorted));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(p, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 1);
        var rank = (sorted.Length - 1) * p;
        var lower = (int)Math.Floor(rank);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((rank - lower) * (sorted[upper] - sorted[lower]));
    }
}
