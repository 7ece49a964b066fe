namespace Dnet.Perf.Tests;

[TestClass]
public sealed class PercentileTests
{
    private static LatencySummary SummaryOfMs(params long[] ms) =>
        LatencySummary.FromNs([.. ms.Select(m => m * 1_000_000)])!;

    [TestMethod]
    public void OneSampleIsEveryPercentile()
    {
        var summary = SummaryOfMs(5);

        Assert.AreEqual(5.0, summary.P50Ms);
        Assert.AreEqual(5.0, summary.P90Ms);
        Assert.AreEqual(5.0, summary.P99Ms);
        Assert.AreEqual(5.0, summary.MeanMs);
    }

    [TestMethod]
    public void TwoSamplesInterpolateAndNeverPassTheMax()
    {
        var summary = SummaryOfMs(20, 10);

        Assert.AreEqual(15.0, summary.P50Ms, 1e-9);
        Assert.AreEqual(19.0, summary.P90Ms, 1e-9);
        Assert.AreEqual(19.9, summary.P99Ms, 1e-9);
        Assert.AreEqual(10.0, summary.MinMs);
        Assert.AreEqual(20.0, summary.MaxMs);
    }

    [TestMethod]
    public void HundredSamplesMatchHandComputedRanks()
    {
        var summary = SummaryOfMs([.. Enumerable.Range(1, 100).Reverse().Select(i => (long)i)]);

        // h = 99p: p50 -> 49.5 -> between 50 and 51; p90 -> 89.1 -> 90.1; p99 -> 98.01 -> 99.01.
        Assert.AreEqual(50.5, summary.P50Ms, 1e-9);
        Assert.AreEqual(90.1, summary.P90Ms, 1e-9);
        Assert.AreEqual(99.01, summary.P99Ms, 1e-9);
        Assert.AreEqual(50.5, summary.MeanMs, 1e-9);
        Assert.AreEqual(100.0, summary.MaxMs);
    }

    [TestMethod]
    public void PercentilesStayWithinMinAndMaxForSkewedSamples()
    {
        long[] samples = [1, 1, 1, 1000];
        foreach (var p in new[] { 0.0, 0.5, 0.9, 0.99, 1.0 })
        {
            var value = Percentiles.OfSorted(samples, p);
            Assert.IsTrue(value is >= 1 and <= 1000, $"p{p} = {value}");
        }

        Assert.AreEqual(1000.0, Percentiles.OfSorted(samples, 1.0));
    }

    [TestMethod]
    public void NoSamplesGiveNoSummary() => Assert.IsNull(LatencySummary.FromNs([]));
}
