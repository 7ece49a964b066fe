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

    public int Count => _frames.Reader.Count;

    public void Enqueue(InboundFrame frame) => _frames.Writer.TryWrite(frame);

    public bool TryRead(out InboundFrame frame) => _frames.Reader.TryRead(out frame!);

    /// <summary>Waits until a frame is queued; false once the queue is completed.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _frames.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Tells the worker a request was freed, so its steps still pending here (a cancelled prompt's chunks) are dropped.</summary>
    public void Forget(string requestId) => _freed.Enqueue(requestId);

    public bool TryTakeFreed(out string requestId) => _freed.TryDequeue(out requestId!);
}
