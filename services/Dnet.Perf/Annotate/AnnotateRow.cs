namespace Dnet.Perf;

/// <summary>One frame name in an annotate table. Times in milliseconds.</summary>
/// <param name="Name">Frame name.</param>
/// <param name="IsWait">Idle waiting frame (name ends in <c>.wait</c>).</param>
/// <param name="Samples">Spans of this name in scope.</param>
/// <param name="TotalMs">Sum of inclusive durations.</param>
/// <param name="SelfMs">Sum of self times (see <see cref="AnnotateHeader.SelfTimeRule"/>).</param>
/// <param name="SelfPercent">Self time as % of the scope's wall time; null when the wall time is zero.</param>
/// <param name="MeanMs">Mean inclusive duration.</param>
/// <param name="P50Ms">Median inclusive duration.</param>
/// <param name="P90Ms">90th percentile of inclusive durations.</param>
/// <param name="P99Ms">99th percentile of inclusive durations.</param>
/// <param name="MaxMs">Longest inclusive duration.</param>
public sealed record AnnotateRow(
    string Name,
    bool IsWait,
    long Samples,
    double TotalMs,
    double SelfMs,
    double? SelfPercent,
    double MeanMs,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double MaxMs);
