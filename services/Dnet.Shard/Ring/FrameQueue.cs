using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Dnet.Shard.Ring;

/// <summary>
/// Frames waiting for this shard's compute, and requests freed meanwhile. One reader (the <see cref="FrameWorker"/>),
/// which drains everything queued into its <see cref="StepScheduler"/> before each batched forward.
/// </summary>
internal sealed class FrameQueue
{
    private readonly Channel<InboundFrame> _frames = Channel.CreateUnbounded<InboundFrame>(
        new UnboundedChannelOptions { SingleReader = true });

    private readonly ConcurrentQueue<string> _freed = new();

    // Counted here: a single-reader channel cannot count its items (its Count throws).
    private int _queued;

    /// <summary>No frame is waiting (a frame being enqueued meanwhile may or may not be seen).</summary>
    public bool IsEmpty => Volatile.Read(ref _queued) == 0;

    public void Enqueue(InboundFrame frame)
    {
        Interlocked.Increment(ref _queued);
        if (!_frames.Writer.TryWrite(frame))
        {
            Interlocked.Decrement(ref _queued);
        }
    }

    public bool TryRead(out InboundFrame frame)
    {
        if (!_frames.Reader.TryRead(out frame!))
        {
            return false;
        }

        Interlocked.Decrement(ref _queued);
        return true;
    }

    /// <summary>Waits until a frame is queued; false once the queue is completed.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _frames.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Tells the worker a request was freed, so its steps still pending here (a cancelled prompt's chunks) are dropped.</summary>
    public void Forget(string requestId) => _freed.Enqueue(requestId);

    public bool TryTakeFreed(out string requestId) => _freed.TryDequeue(out requestId!);
}
