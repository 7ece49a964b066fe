using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Dnet.Shard.Ring;

/// <summary>
/// Frames waiting for this shard's compute, and requests freed meanwhile. One reader (the <see cref="FrameWorker"/>),
/// which drains everything queued into its <see cref="StepScheduler"/> before each batched forward.
/// </summary>
internal sealed class FrameQueue
{
    // Not a single-reader channel, although one worker reads: that one cannot count its items (its Count throws), and
    // the worker asks after every batch whether anything is waiting.
    private readonly Channel<InboundFrame> _frames = Channel.CreateUnbounded<InboundFrame>();

    private readonly ConcurrentQueue<string> _freed = new();

    /// <summary>No frame is waiting (a frame being enqueued meanwhile may or may not be seen).</summary>
    public bool IsEmpty => _frames.Reader.Count == 0;

    public void Enqueue(InboundFrame frame) => _frames.Writer.TryWrite(frame);

    public bool TryRead(out InboundFrame frame) => _frames.Reader.TryRead(out frame!);

    /// <summary>Waits until a frame is queued; false once the queue is completed.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _frames.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Tells the worker a request was freed, so its steps still pending here (a cancelled prompt's chunks) are dropped.</summary>
    public void Forget(string requestId) => _freed.Enqueue(requestId);

    public bool TryTakeFreed(out string requestId) => _freed.TryDequeue(out requestId!);
}
