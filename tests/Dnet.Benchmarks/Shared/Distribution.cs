namespace Dnet.Benchmarks.Shared;

/// <summary>Mean, median and p99 of a sample, in the sample's unit (null when the sample is empty).</summary>
sealed record Distribution(double? Mean, double? Median, double? P99, int Count)
{
    /// <summary>How percentiles are computed, for the JSON: the same rule as Dnet.Perf, so reports agree.</summary>
    public const string PercentileMethod = "linear interpolation between closest ranks (R-7, numpy's default); always within min..max";

    public static Distribution Of(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0)
        {
            return new Distribution(null, null, null, 0);
        }

        return new Distribution(Round(sorted.Average()), Round(Percentile(sorted, 0.5)), Round(Percentile(sorted, 0.99)), sorted.Length);
    }

    /// <summary>R-7: rank h = (n-1)p, interpolated between the two closest order statistics, so never above the maximum.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        double rank = (sorted.Length - 1) * p;
        int below = (int)Math.Floor(rank);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((rank - below) * (sorted[above] - sorted[below]));
    }

    static double Round(double value) => Math.Round(value, 3);
}
