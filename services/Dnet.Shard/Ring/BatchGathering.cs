namespace Dnet.Shard.Ring;

/// <summary>
/// On a shard that is the whole ring, the sequences whose tokens the last batch sent come back from the gateway a
/// moment later. Starting the next batch at once with whatever else is queued splits the requests in flight into
/// groups that take turns (two batches of 16 instead of one of 32, for nearly twice the time per token). So before a
/// batch the worker waits for those sequences, up to a quarter of the last batch's compute time and never more than
/// <c>Dnet:Shard:GatherWait</c> (default 5 ms): a sequence that finished, or a slow gateway, costs at most that.
/// Used by one thread (the <see cref="FrameWorker"/>).
/// </summary>
internal sealed class BatchGathering(TimeSpan maxWait)
{
    public static readonly TimeSpan DefaultMaxWait = TimeSpan.FromMilliseconds(5);

    private readonly HashSet<string> _expected = new(StringComparer.Ordinal);
    private DateTime _deadline = DateTime.MinValue;
    private TimeSpan _budget;

    /// <summary>The sequences the last batch sent tokens for, and how long that batch computed.</summary>
    public void Expect(IEnumerable<string> sequences, TimeSpan lastCompute)
    {
        _expected.Clear();
        _expected.UnionWith(sequences);
        _budget = TimeSpan.FromTicks(Math.Min(maxWait.Ticks, lastCompute.Ticks / 4));
        _deadline = DateTime.MinValue;
    }

    /// <summary>A freed request will not come back.</summary>
    public void Forget(string sequenceId) => _expected.Remove(sequenceId);

    /// <summary>
    /// Whether an expected sequence has no step queued yet and there is time left to wait for it. Sequences already
    /// queued stop being expected; the wait starts with the first call after <see cref="Expect"/>.
    /// </summary>
    public bool Missing(StepScheduler scheduler)
    {
        _expected.RemoveWhere(scheduler.Has);
        if (_expected.Count == 0 || _budget <= TimeSpan.Zero)
        {
            return false;
        }

        if (_deadline == DateTime.MinValue)
        {
            _deadline = DateTime.UtcNow + _budget;
        }

        if (DateTime.UtcNow < _deadline)
        {
            return true;
        }

        _expected.Clear();
        return false;
    }

    /// <summary>Waits for the next frame or the deadline; false when the deadline passed (or the queue closed).</summary>
    public async Task<bool> WaitAsync(FrameQueue queue, CancellationToken cancellationToken)
    {
        var left = _deadline - DateTime.UtcNow;
        if (left <= TimeSpan.Zero)
        {
            return false;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(left);
        try
        {
            return await queue.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
