using Microsoft.Extensions.Options;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>
/// Encoded span batches waiting for Redis, oldest first, bounded by bytes. Every batch passes through it, so an outage
/// only makes it longer and delivery resumes in order when Redis answers. A batch that does not fit is refused (the
/// caller counts its spans as dropped); what is held is never evicted, so what survives an overflow is the earliest
/// part of the outage, without holes. Batches are numbered as they are accepted: a refused batch takes no sequence
/// number, so a gap in the numbers always means an entry that was written and then lost, never one that was dropped here.
/// </summary>
internal sealed class SpanBatchBuffer
{
    private readonly Lock gate = new();
    private readonly Queue<EncodedBatch> batches = new();
    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource added = NewSignal();
    private long nextSeq;
    private long bytes;
    private long spans;

    public SpanBatchBuffer(IOptions<TracingOptions> options) => CapacityBytes = Math.Max(0, options.Value.BufferCapacityBytes);

    public long CapacityBytes { get; }

    public long Bytes
    {
        get
        {
            lock (gate)
            {
                return bytes;
            }
        }
    }

    public long Spans
    {
        get
        {
            lock (gate)
            {
                return spans;
            }
        }
    }

    /// <summary>Completes once no batch will be added any more (shutdown).</summary>
    public Task Completion => completion.Task;

    public bool IsCompleted => completion.Task.IsCompleted;

    /// <summary>Takes a batch at the tail, numbered next; false when it would exceed the cap or the buffer is completed.</summary>
    public bool TryAdd(byte[] encodedSpans, int spanCount)
    {
        TaskCompletionSource signal;
        lock (gate)
        {
            if (IsCompleted || bytes + encodedSpans.Length > CapacityBytes)
            {
                return false;
            }

            batches.Enqueue(new EncodedBatch(++nextSeq, spanCount, encodedSpans));
            bytes += encodedSpans.Length;
            spans += spanCount;
            signal = added;
            added = NewSignal();
        }

        signal.TrySetResult();
        return true;
    }

    /// <summary>The oldest batch, left in place until <see cref="Delivered"/>.</summary>
    public bool TryPeek(out EncodedBatch batch)
    {
        lock (gate)
        {
            return batches.TryPeek(out batch!);
        }
    }

    /// <summary>Removes <paramref name="batch"/>, the oldest, once Redis took it.</summary>
    public void Delivered(EncodedBatch batch)
    {
        lock (gate)
        {
            if (batches.TryPeek(out var head) && ReferenceEquals(head, batch))
            {
                batches.Dequeue();
                bytes -= batch.Spans.Length;
                spans -= batch.SpanCount;
            }
        }
    }

    /// <summary>Waits until a batch is held or the buffer is completed.</summary>
    public Task WaitForBatchAsync(CancellationToken cancellationToken)
    {
        Task signal;
        lock (gate)
        {
            if (batches.Count > 0)
            {
                return Task.CompletedTask;
            }

            signal = added.Task;
        }

        return Task.WhenAny(signal, completion.Task).WaitAsync(cancellationToken);
    }

    /// <summary>No more batches will come: delivery writes what is held and stops at its first failure.</summary>
    public void Complete() => completion.TrySetResult();

    /// <summary>Empties the buffer (what shutdown could not deliver) and returns the spans it held.</summary>
    public long Clear()
    {
        lock (gate)
        {
            var held = spans;
            batches.Clear();
            bytes = 0;
            spans = 0;
            return held;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>One batch as it will be written: its sequence number, span count and the encoded spans field.</summary>
/// <param name="Seq">Per-instance sequence number, from 1.</param>
/// <param name="SpanCount">Spans in the batch.</param>
/// <param name="Spans">The <c>spans</c> field, UTF-8 JSON.</param>
internal sealed record EncodedBatch(long Seq, int SpanCount, byte[] Spans);
