using System.Diagnostics;
using System.Threading.Channels;
using Dnet.Contracts.Tracing;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>
/// Collects finished Dnet frames into batches for the <see cref="SpanStreamWriter"/>. The frame's own thread only
/// tags it with the node (start) and offers it to a bounded queue (end): when the queue is full the frame is dropped and
/// counted, so tracing never waits on Redis. A background loop writes a batch when it is full or when the oldest
/// queued frame has waited the flush interval, and drains the queue on shutdown.
/// </summary>
/// <remarks>
/// Not OpenTelemetry's <c>BatchActivityExportProcessor</c>: its drop count is not public, and the drop count is part
/// of every batch we write.
/// </remarks>
internal sealed class SpanStreamProcessor : BaseProcessor<Activity>
{
    private readonly Channel<Activity> queue;
    private readonly SpanStreamWriter writer;
    private readonly SpanExportCounters counters;
    private readonly string node;
    private readonly int batchSize;
    private readonly TimeSpan flushInterval;
    private readonly Task loop;
    private long offered;
    private long settled;

    public SpanStreamProcessor(SpanStreamWriter writer, SpanExportCounters counters, NodeIdentity node, IOptions<TracingOptions> options)
    {
        this.writer = writer;
        this.counters = counters;
        this.node = node.Node;
        batchSize = Math.Max(1, options.Value.BatchSize);
        flushInterval = TimeSpan.FromMilliseconds(Math.Max(1, options.Value.FlushIntervalMilliseconds));
        queue = Channel.CreateBounded<Activity>(new BoundedChannelOptions(Math.Max(1, options.Value.QueueCapacity))
        {
            // TryWrite on a full queue returns false (Wait mode) instead of silently discarding: we count the drop.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        loop = Task.Run(RunAsync);
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

        Interlocked.Increment(ref offered);
        if (!queue.Writer.TryWrite(data))
        {
            counters.QueueFull();
            Interlocked.Increment(ref settled);
        }
    }

    /// <summary>Waits until every frame offered before the call is written or dropped (at most one flush interval plus a write).</summary>
    protected override bool OnForceFlush(int timeoutMilliseconds)
    {
        var target = Interlocked.Read(ref offered);
        var deadline = timeoutMilliseconds < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMilliseconds;
        while (Interlocked.Read(ref settled) < target)
        {
            if (Environment.TickCount64 >= deadline || loop.IsCompleted)
            {
                return false;
            }

            Thread.Sleep(5);
        }

        return true;
    }

    protected override bool OnShutdown(int timeoutMilliseconds)
    {
        queue.Writer.TryComplete();
        return loop.Wait(timeoutMilliseconds < 0 ? Timeout.Infinite : timeoutMilliseconds);
    }

    private async Task RunAsync()
    {
        var batch = new List<Activity>(batchSize);
        while (await queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            await FillAsync(batch).ConfigureAwait(false);
            await writer.WriteAsync(batch).ConfigureAwait(false);
            Interlocked.Add(ref settled, batch.Count);
            batch.Clear();
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
}
