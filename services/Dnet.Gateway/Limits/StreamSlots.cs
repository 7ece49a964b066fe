using Microsoft.Extensions.Options;

namespace Dnet.Gateway.Limits;

/// <summary>Counts open SSE streams against <see cref="GatewayOptions.MaxOpenStreams"/>.</summary>
internal sealed class StreamSlots(IOptions<GatewayOptions> options)
{
    private int _open;

    public int Open => Volatile.Read(ref _open);

    public int Capacity => options.Value.MaxOpenStreams;

    public bool TryAcquire()
    {
        if (Interlocked.Increment(ref _open) <= Capacity)
        {
            return true;
        }

        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Release() => Interlocked.Decrement(ref _open);
}
