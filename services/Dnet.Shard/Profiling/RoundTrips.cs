namespace Dnet.Shard.Profiling;

/// <summary>Round-trip times of one kind of probe, in milliseconds.</summary>
internal sealed class RoundTrips(IEnumerable<double> milliseconds)
{
    private readonly double[] sorted = [.. milliseconds.Order()];

    /// <summary>Nearest-rank percentile (<paramref name="percent"/> in (0, 100]).</summary>
    public double Percentile(double percent) =>
        sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
