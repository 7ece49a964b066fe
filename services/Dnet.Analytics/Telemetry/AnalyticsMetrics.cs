using System.Diagnostics.Metrics;
using Dnet.Perf;

namespace Dnet.Analytics.Telemetry;

/// <summary>
/// A histogram on the Dnet meter, fed by the span stream: every frame's duration, by frame name and node. (The GenAI
/// request latencies are recorded by the gateway itself, tracing on or off.) The meter comes from the host's
/// <see cref="IMeterFactory"/> (same meter name as every Dnet metric), so each host, including a test's, gets its own
/// instrument.
/// </summary>
internal sealed class AnalyticsMetrics
{
    public const string FrameDuration = "dnet.frame.duration";
    public const string FrameNameTag = "dnet.frame.name";
    public const string NodeTag = "dnet.node";

    // Frames range from microseconds (a queue hand-off) to seconds (a model load).
    private static readonly double[] FrameBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    private readonly Histogram<double> frameDuration;

    public AnalyticsMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(DnetTelemetry.MeterName);
        frameDuration = meter.CreateHistogram(
            FrameDuration, "ms", "Duration of Dnet frames (spans) read from the span stream, by frame name and node.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = FrameBuckets });
    }

    public void RecordFrame(SpanRecord span) =>
        frameDuration.Record(
            span.DurationNs / 1e6,
            new KeyValuePair<string, object?>(FrameNameTag, span.Name),
            new KeyValuePair<string, object?>(NodeTag, span.Node));
}
