using System.Diagnostics.Metrics;
using Dnet.Perf;

namespace Dnet.Analytics.Telemetry;

/// <summary>
/// Histograms on the Dnet meter, fed by the span stream: every frame's duration, and the per-request latencies of the
/// OpenTelemetry GenAI server conventions. The meter comes from the host's <see cref="IMeterFactory"/> (same meter
/// name as every Dnet metric), so each host, including a test's, gets its own instruments.
/// </summary>
internal sealed class AnalyticsMetrics
{
    public const string FrameDuration = "dnet.frame.duration";
    public const string TimeToFirstToken = "gen_ai.server.time_to_first_token";
    public const string TimePerOutputToken = "gen_ai.server.time_per_output_token";
    public const string FrameNameTag = "dnet.frame.name";
    public const string NodeTag = "dnet.node";

    // Bucket boundaries recommended by the GenAI semantic conventions for these two histograms.
    private static readonly double[] TtftBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];
    private static readonly double[] TpotBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];

    // Frames range from microseconds (a queue hand-off) to seconds (a model load).
    private static readonly double[] FrameBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    private readonly Histogram<double> frameDuration;
    private readonly Histogram<double> timeToFirstToken;
    private readonly Histogram<double> timePerOutputToken;

    public AnalyticsMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(DnetTelemetry.MeterName);
        frameDuration = meter.CreateHistogram(
            FrameDuration, "ms", "Duration of Dnet frames (spans) read from the span stream, by frame name and node.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = FrameBuckets });
        timeToFirstToken = meter.CreateHistogram(
            TimeToFirstToken, "s", "Time to generate the first token of a chat request, on the gateway's clock.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TtftBuckets });
        timePerOutputToken = meter.CreateHistogram(
            TimePerOutputToken, "s", "Time per output token after the first: (end-to-end - ttft) / (tokens - 1).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TpotBuckets });
    }

    public void RecordFrame(SpanRecord span) =>
        frameDuration.Record(
            span.DurationNs / 1e6,
            new KeyValuePair<string, object?>(FrameNameTag, span.Name),
            new KeyValuePair<string, object?>(NodeTag, span.Node));

    /// <summary>Records a completed request's latencies; the undefined ones (e.g. TPOT of one token) are skipped.</summary>
    public void RecordRequest(RequestStats stats)
    {
        KeyValuePair<string, object?>[] tags =
        [
            new(SpanAttributes.OperationName, SpanAttributes.ChatOperation),
            new(SpanAttributes.RequestModel, stats.Model),
        ];
        if (stats.TtftMs is { } ttft)
        {
            timeToFirstToken.Record(ttft / 1e3, tags);
        }

        if (stats.TpotMs is { } tpot)
        {
            timePerOutputToken.Record(tpot / 1e3, tags);
        }
    }
}
