using System.Diagnostics;
using System.Threading.Channels;
using Dnet.Contracts.Tracing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>
/// Collects finished Dnet frames into batches for the span stream. The frame's own thread only tags it with the node
/// (start) and offers it to a bounded queue (end): when the queue is full the frame is dropped and counted, so tracing
/// never waits. A batching loop encodes a batch when it is full or when its oldest frame has waited the flush interval,
/// and puts it in the <see cref="SpanBatchBuffer"/>; a separate delivery loop (<see cref="SpanStreamDelivery"/>) writes
/// the buffer to Redis in order. Redis being slow or gone therefore never slows batching: it only grows the buffer,
/// and a batch that overflows the buffer's byte cap is dropped and counted.
/// </summary>
/// <remarks>
/// Not OpenTelemetry's <c>BatchActivityExportProcessor</c>: its drop count is not public, and the counters are part
/// of every batch we write.
/// </remarks>
internal sealed partial class SpanStreamProcessor : BaseProcessor<Activity>
{
    private readonly Channel<Activity> queue;
    private readonly SpanBatchBuffer buffer;
    private readonly SpanExportCounters counters;
    private readonly ILogger<SpanStreamProcessor> logger;
    private readonly string node;
    private readonly int batchSize;
    private readonly TimeSpan flushInterval;
    private readonly CancellationTokenSource giveUp = new();
    private readonly Task batching;
    private readonly Task delivering;
    private bool overflowing;

    public SpanStreamProcessor(
        SpanStreamWriter writer,
        SpanBatchBuffer buffer,
        SpanExportCounters counters,
        NodeIdentity node,
        IOptions<TracingOptions> options,
        ILogger<SpanStreamProcessor> logger)
    {
        this.buffer = buffer;
        this.counters = counters;
        this.logger = logger;
        this.node = node.Node;
        batchSize = Math.Max(1, options.Value.BatchSize);
        flushInterval = TimeSpan.FromMilliseconds(Math.Max(1, options.Value.FlushIntervalMilliseconds));
        queue = Channel.CreateBounded<Activity>(new BoundedChannelOptions(Math.Max(1, options.Value.QueueCapacity))
        {
            // TryWrite on a full queue returns false (Wait mode) instead of silently discarding: we count the drop.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        batching = Task.Run(BatchAsync);
        delivering = Task.Run(() => new SpanStreamDelivery(buffer, writer).RunAsync(giveUp.Token));
        // Neither loop should ever fault; if one does, the node must say so now, not at shutdown.
        _ = batching.ContinueWith(t => LogLoopFailed(t.Exception!.InnerException ?? t.Exception), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        _ = delivering.ContinueWith(t => LogLoopFailed(t.Exception!.InnerException ?? t.Exception), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    public override void OnStart(Activity data)
    {
        if (DnetFrames.IsFrame(data))
        {
            data.SetTag(SpanAttributes.Node, node);
        }
    }

    public override void OnEnd(Activity data)
    {
        if (!data.Recorded || !DnetFrames.IsFrame(data))
        {
            return;
        }

        counters.Taken();
        if (!queue.Writer.TryWrite(data))
        {
            counters.Dropped(1);
        }
    }

    /// <summary>Waits until as many spans as were taken in before the call are written or dropped; false on timeout.</summary>
    protected override bool OnForceFlush(int timeoutMilliseconds)
    {
        var target = counters.ExportedSpans;
        var deadline = timeoutMilliseconds < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMilliseconds;
        while (counters.WrittenSpans + counters.DroppedSpans < target)
        {
            if (Environment.TickCount64 >= deadline || delivering.IsCompleted)
            {
                return false;
            }

            Thread.Sleep(5);
        }

        return true;
    }

    /// <summary>Batches what is queued, writes what the buffer holds while Redis answers, and counts the rest as dropped.</summary>
    protected override bool OnShutdown(int timeoutMilliseconds)
    {
        queue.Writer.TryComplete();
        var timeout = timeoutMilliseconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(timeoutMilliseconds);
        bool finished;
        try
        {
            finished = Task.WhenAll(batching, delivering).Wait(timeout);
        }
        catch (AggregateException exception)
        {
            LogLoopFailed(exception.InnerException ?? exception);
            finished = false;
        }

        if (!finished)
        {
            giveUp.Cancel();
            delivering.Wait(TimeSpan.FromSeconds(1));
        }

        var left = buffer.Clear();
        if (left > 0)
        {
            counters.Dropped(left);
            LogUndelivered(left);
        }

        return finished && left == 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            giveUp.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task BatchAsync()
    {
        var batch = new List<Activity>(batchSize);
        try
        {
            while (await queue.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                await FillAsync(batch).ConfigureAwait(false);
                Buffer(batch);
                batch.Clear();
            }
        }
        finally
        {
            buffer.Complete();
        }
    }

    private void Buffer(List<Activity> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        byte[] encoded;
        try
        {
            encoded = SpanBatch.EncodeSpans(batch.ConvertAll(ExportedSpanMapping.From));
        }
        catch (Exception exception)
        {
            // A frame the wire schema cannot carry must cost its batch, not the exporter loop.
            counters.Dropped(batch.Count);
            LogUnencodable(exception, batch.Count);
            return;
        }

        if (buffer.TryAdd(encoded, batch.Count))
        {
            overflowing = false;
            return;
        }

        counters.Dropped(batch.Count);
        if (!overflowing)
        {
            // One warning per overflow, not one per batch.
            overflowing = true;
            LogOverflow(buffer.CapacityBytes, buffer.Bytes);
        }
    }

    /// <summary>Takes frames until the batch is full, the flush interval has passed, or the queue is completed and empty.</summary>
    private async Task FillAsync(List<Activity> batch)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(flushInterval.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            while (batch.Count < batchSize && queue.Reader.TryRead(out var frame))
            {
                batch.Add(frame);
            }

            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (batch.Count >= batchSize || remaining <= TimeSpan.Zero)
            {
                return;
            }

            using var wait = new CancellationTokenSource(remaining);
            try
            {
                if (!await queue.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Span buffer full ({CapacityBytes} bytes, {HeldBytes} held): dropping span batches until Redis takes some")]
    private partial void LogOverflow(long capacityBytes, long heldBytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "A span batch of {Spans} spans could not be encoded; dropped")]
    private partial void LogUnencodable(Exception exception, int spans);

    [LoggerMessage(Level = LogLevel.Error, Message = "The span exporter stopped with an error")]
    private partial void LogLoopFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Spans} spans could not be written before shutdown; counted as dropped")]
    private partial void LogUndelivered(long spans);
}
