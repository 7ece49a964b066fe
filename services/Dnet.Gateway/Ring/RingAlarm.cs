namespace Dnet.Gateway.Ring;

/// <summary>
/// Wakes the ring supervisor ahead of its next tick: a shard reported an error, a frame could not be sent, a member
/// joined or left. Raising it is cheap and never blocks; several raises before the supervisor wakes count as one.
/// </summary>
internal sealed class RingAlarm
{
    private readonly SemaphoreSlim raised = new(0, 1);
    private volatile string? reason;

    public void Raise(string why)
    {
        reason = why;
        try
        {
            raised.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already raised and not yet taken.
        }
    }

    /// <summary>Waits until raised or <paramref name="timeout"/> passes; the reason, or null on timeout.</summary>
    public async Task<string?> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await raised.WaitAsync(timeout, cancellationToken) ? reason : null;
}
