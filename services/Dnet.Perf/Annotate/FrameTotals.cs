namespace Dnet.Perf;

/// <summary>Running totals of one frame name while an annotate table is built; nanoseconds, so sums are exact.</summary>
internal sealed class FrameTotals
{
    private readonly List<long> durations = [];
    private long totalNs;
    private long selfNs;

    public void Add(long durationNs, long selfNs)
    {
        durations.Add(durationNs);
        totalNs += durationNs;
        this.selfNs += selfNs;
    }

    public AnnotateRow ToRow(string name, bool isWait, long wallNs)
    {
        var summary = LatencySummary.FromNs(durations)!;
        return new AnnotateRow(
            name,
            isWait,
            durations.Count,
            UnixTime.Ms(totalNs),
            UnixTime.Ms(selfNs),
            wallNs > 0 ? 100.0 * selfNs / wallNs : null,
            summary.MeanMs,
            summary.P50Ms,
            summary.P90Ms,
            summary.P99Ms,
            summary.MaxMs);
    }
}
