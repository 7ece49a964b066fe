using System.Diagnostics.Metrics;
using Dnet.Contracts.Tracing;
using Microsoft.Extensions.Hosting;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>
/// What this node's span exporter took in, wrote, holds and lost, for <c>GET /v1/trace</c>, the counters every batch
/// carries, the <c>trace-sink</c> health check, and as metrics on the <see cref="DnetTelemetry.MeterName"/> meter.
/// Every span taken in is written, buffered or dropped; buffered is what the other two leave.
/// </summary>
internal sealed class SpanExportCounters
{
    private readonly SpanBatchBuffer buffer;
    private readonly Lock delivery = new();
    private long exportedSpans;
    private long writtenSpans;
    private long droppedSpans;
    private long batches;
    private long failedWrites;
    private DateTimeOffset? failingSince;
    private string? lastError;

    public SpanExportCounters(IMeterFactory meterFactory, SpanBatchBuffer buffer)
    {
        this.buffer = buffer;
        var meter = meterFactory.Create(DnetTelemetry.MeterName);
        meter.CreateObservableCounter("dnet.trace.spans.exported", () => ExportedSpans, "{span}", "Finished frames the span exporter took in.");
        meter.CreateObservableCounter("dnet.trace.spans.written", () => WrittenSpans, "{span}", "Spans written to the Redis span stream.");
        meter.CreateObservableCounter("dnet.trace.spans.dropped", () => DroppedSpans, "{span}", "Spans given up: exporter queue or outage buffer full, or left at shutdown.");
        meter.CreateObservableUpDownCounter("dnet.trace.spans.buffered", () => BufferedSpans, "{span}", "Spans taken in and not written yet.");
        meter.CreateObservableUpDownCounter("dnet.trace.buffer.size", () => buffer.Bytes, "By", "Encoded span batches held for Redis.");
        meter.CreateObservableCounter("dnet.trace.batches.written", () => Batches, "{batch}", "Span stream entries written.");
        meter.CreateObservableCounter("dnet.trace.writes.failed", () => FailedWrites, "{write}", "Span stream writes that failed and were retried.");
    }

    public long ExportedSpans => Interlocked.Read(ref exportedSpans);

    public long WrittenSpans => Interlocked.Read(ref writtenSpans);

    public long DroppedSpans => Interlocked.Read(ref droppedSpans);

    /// <summary>Taken in and neither written nor dropped: queued for batching or held in the buffer.</summary>
    public long BufferedSpans
    {
        get
        {
            // Written and dropped first: every span they count was counted as taken in before, so this is never negative.
            var written = WrittenSpans;
            var dropped = DroppedSpans;
            return ExportedSpans - written - dropped;
        }
    }

    public long Batches => Interlocked.Read(ref batches);

    public long FailedWrites => Interlocked.Read(ref failedWrites);

    /// <summary>Since when writes fail (null while they succeed), and the last failure.</summary>
    public (DateTimeOffset? Since, string? Error) Failing
    {
        get
        {
            lock (delivery)
            {
                return (failingSince, lastError);
            }
        }
    }

    /// <summary>A finished frame was taken in.</summary>
    public void Taken() => Interlocked.Increment(ref exportedSpans);

    public void Dropped(long spans) => Interlocked.Add(ref droppedSpans, spans);

    public void Written(int spans)
    {
        Interlocked.Add(ref writtenSpans, spans);
        Interlocked.Increment(ref batches);
        lock (delivery)
        {
            failingSince = null;
        }
    }

    /// <summary>A write failed; returns true when it is the first failure since writes last succeeded.</summary>
    public bool WriteFailed(string error, DateTimeOffset now)
    {
        Interlocked.Increment(ref failedWrites);
        lock (delivery)
        {
            lastError = error;
            if (failingSince is not null)
            {
                return false;
            }

            failingSince = now;
            return true;
        }
    }

    /// <summary>
    /// The counters a batch of <paramref name="spansInBatch"/> spans carries when it is sent: dropped so far, taken in so
    /// far, and held behind it. Called by the one delivery loop, so no write lands between the reads.
    /// </summary>
    public (long Dropped, long Exported, long Buffered) Stamp(int spansInBatch)
    {
        var written = WrittenSpans;
        var dropped = DroppedSpans;
        var exported = ExportedSpans;
        return (dropped, exported, exported - written - spansInBatch - dropped);
    }

    public SpanExporterStatus Snapshot(string sink)
    {
        var written = WrittenSpans;
        var dropped = DroppedSpans;
        var exported = ExportedSpans;
        return new(sink, exported, written, exported - written - dropped, dropped, buffer.Bytes, buffer.CapacityBytes, Batches, FailedWrites);
    }
}
