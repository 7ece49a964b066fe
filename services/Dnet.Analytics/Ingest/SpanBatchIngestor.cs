using Dnet.Analytics.Telemetry;
using Dnet.Contracts.Tracing;
using Dnet.Perf;

namespace Dnet.Analytics.Ingest;

/// <summary>Turns one stream entry into stored spans, exporter stats and metrics.</summary>
internal sealed partial class SpanBatchIngestor(
    PerfAnalyzer analyzer,
    ExporterLedger exporters,
    AnalyticsMetrics metrics,
    ILogger<SpanBatchIngestor> logger)
{
    public EntryOutcome Ingest(StreamMessage message)
    {
        if (message.Fields is null)
        {
            LogTrimmed(message.Id);
            return EntryOutcome.Trimmed;
        }

        SpanBatch batch;
        try
        {
            batch = SpanBatch.FromStreamFields(message.Fields);
        }
        catch (FormatException exception)
        {
            LogMalformed(exception, message.Id, exception.Message);
            return EntryOutcome.Malformed;
        }

        try
        {
            Store(batch);
            return EntryOutcome.Stored;
        }
        catch (Exception exception)
        {
            // Well-formed JSON that still cannot be analysed (wrong value shapes) must cost this entry, not the consumer.
            LogMalformed(exception, message.Id, exception.Message);
            return EntryOutcome.Malformed;
        }
    }

    private void Store(SpanBatch batch)
    {
        var records = batch.Spans.Select(span => SpanRecordMapping.From(span, batch)).ToList();
        var added = analyzer.Store.Add(records);
        var firstDelivery = exporters.Record(batch);

        // A redelivered entry adds nothing to the store; it must not add to the metrics either.
        if (added == 0 || !firstDelivery)
        {
            return;
        }

        foreach (var record in records)
        {
            metrics.RecordFrame(record);
        }

        LogStored(batch.Node, batch.Seq, added, records.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Span stream entry {EntryId} is not a span batch and was skipped: {Reason}")]
    private partial void LogMalformed(Exception exception, string entryId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Span stream entry {EntryId} was trimmed from the stream before it could be read again; its spans are lost")]
    private partial void LogTrimmed(string entryId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Batch {Seq} of {Node}: {Added} of {Spans} spans stored")]
    private partial void LogStored(string node, long seq, int added, int spans);
}
