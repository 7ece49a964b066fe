using System.Diagnostics.Metrics;
using Dnet.Contracts.Tracing;
using Microsoft.Extensions.Hosting;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>
/// What this node's span exporter delivered and lost, for <c>GET /v1/trace</c>, the <c>dropped</c> field of every
/// batch, and as metrics on the <see cref="DnetTelemetry.MeterName"/> meter.
/// </summary>
internal sealed class SpanExportCounters
{
    private long exportedSpans;
    private long droppedSpans;
    private long batches;
    private long failedBatches;

    public SpanExportCounters(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(DnetTelemetry.MeterName);
        meter.CreateObservableCounter("dnet.trace.spans.exported", () => ExportedSpans, "{span}", "Spans written to the Redis span stream.");
        meter.CreateObservableCounter("dnet.trace.spans.dropped", () => DroppedSpans, "{span}", "Spans not delivered: exporter queue full or Redis unavailable.");
        meter.CreateObservableCounter("dnet.trace.batches.exported", () => Batches, "{batch}", "Span stream entries written.");
        meter.CreateObservableCounter("dnet.trace.batches.failed", () => FailedBatches, "{batch}", "Span stream writes that failed.");
    }

    public long ExportedSpans => Interlocked.Read(ref exportedSpans);

    public long DroppedSpans => Interlocked.Read(ref droppedSpans);

    public long Batches => Interlocked.Read(ref batches);

    public long FailedBatches => Interlocked.Read(ref failedBatches);

    public void Delivered(int spans)
    {
        Interlocked.Add(ref exportedSpans, spans);
        Interlocked.Increment(ref batches);
    }

    public void Undeliverable(int spans)
    {
        Interlocked.Add(ref droppedSpans, spans);
        Interlocked.Increment(ref failedBatches);
    }

    public void QueueFull() => Interlocked.Increment(ref droppedSpans);

    public SpanExporterStatus Snapshot(string sink) => new(sink, ExportedSpans, DroppedSpans, Batches, FailedBatches);
}
