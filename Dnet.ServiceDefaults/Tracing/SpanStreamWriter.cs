using System.Diagnostics;
using Dnet.Contracts.Tracing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>
/// Writes one batch of finished frames as one entry of <see cref="SpanStream.Key"/>. A batch that cannot be written
/// (Redis unreachable, timeout) is counted as dropped, never retried: the queue behind it keeps moving.
/// </summary>
internal sealed class SpanStreamWriter(
    TraceRedisConnection redis,
    SpanExportCounters counters,
    NodeIdentity node,
    IOptions<TracingOptions> options,
    ILogger<SpanStreamWriter> logger)
{
    private readonly long maxLength = options.Value.StreamMaxLength;
    private long sequence;
    private bool failing;

    public async Task WriteAsync(IReadOnlyList<Activity> frames)
    {
        try
        {
            var connection = await redis.GetAsync().ConfigureAwait(false);
            if (!connection.IsConnected)
            {
                throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not connected");
            }

            // Numbered only when sent: a gap then means an entry the consumer never saw (trimmed, or a write whose
            // outcome is unknown), not one that was never written, which the dropped count already reports.
            var seq = ++sequence;
            var batch = new SpanBatch
            {
                Node = node.Node,
                Service = node.Service,
                Instance = node.Instance,
                Seq = seq,
                Dropped = counters.DroppedSpans,
                Spans = frames.Select(ExportedSpanMapping.From).ToList(),
            };
            var fields = batch.ToStreamFields().Select(field => new NameValueEntry(field.Key, field.Value)).ToArray();
            await connection.GetDatabase()
                .StreamAddAsync(SpanStream.Key, fields, maxLength: maxLength, useApproximateMaxLength: true)
                .ConfigureAwait(false);
            counters.Delivered(frames.Count);
            if (failing)
            {
                failing = false;
                logger.LogInformation("Span stream delivery resumed; {Dropped} spans dropped so far", batch.Dropped);
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            counters.Undeliverable(frames.Count);
            if (!failing)
            {
                // One warning per outage, not one per batch.
                failing = true;
                logger.LogWarning(exception, "Span stream unavailable; dropping span batches until Redis answers");
            }
        }
        catch (Exception exception)
        {
            // A frame the wire schema cannot carry must cost its batch, not the exporter loop.
            counters.Undeliverable(frames.Count);
            logger.LogError(exception, "A span batch of {Spans} spans could not be encoded; dropped", frames.Count);
        }
    }
}
