using System.Threading.Channels;

namespace Dnet.Shard.Ring;

/// <summary>
/// Frames waiting for this shard's compute. One reader (the <see cref="FrameWorker"/>): a slice runs one step at a
/// time, since libtorch already uses every core for one step; frames of different requests interleave in arrival order.
/// </summary>
internal sealed class FrameQueue
{
    private readonly Channel<InboundFrame> _frames = Channel.CreateUnbounded<InboundFrame>(
        new UnboundedChannelOptions { SingleReader = true });

    public int Count => _frames.Reader.Count;

    public void Enqueue(InboundFrame frame) => _frames.Writer.TryWrite(frame);

    public IAsyncEnumerable<InboundFrame> ReadAllAsync(CancellationToken cancellationToken) =>
        _frames.Reader.ReadAllAsync(cancellationToken);
}
