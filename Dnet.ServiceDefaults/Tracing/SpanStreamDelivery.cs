namespace Dnet.ServiceDefaults.Tracing;

/// <summary>
/// Writes the buffer's batches to the stream, oldest first, one at a time. A failed write leaves its batch at the head
/// and is tried again after a pause that doubles from <see cref="MinPause"/> to <see cref="MaxPause"/>, so an outage
/// costs one cheap attempt every two seconds while the buffer fills, and delivery resumes in order within that when
/// Redis is back. Once the buffer is completed (shutdown) it writes what is left and stops at the first failure.
/// </summary>
internal sealed class SpanStreamDelivery(SpanBatchBuffer buffer, SpanStreamWriter writer)
{
    public static readonly TimeSpan MinPause = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(2);

    /// <summary>Runs until the buffer is completed and empty, a write fails after completion, or <paramref name="giveUp"/>.</summary>
    public async Task RunAsync(CancellationToken giveUp)
    {
        var pause = MinPause;
        try
        {
            while (true)
            {
                if (!buffer.TryPeek(out var batch))
                {
                    if (buffer.IsCompleted)
                    {
                        return;
                    }

                    await buffer.WaitForBatchAsync(giveUp).ConfigureAwait(false);
                    continue;
                }

                if (await writer.WriteAsync(batch).ConfigureAwait(false))
                {
                    buffer.Delivered(batch);
                    pause = MinPause;
                    continue;
                }

                if (buffer.IsCompleted)
                {
                    // Shutting down: waiting for Redis would hold the process; what is left is counted as dropped.
                    return;
                }

                await Task.WhenAny(Task.Delay(pause, giveUp), buffer.Completion).ConfigureAwait(false);
                giveUp.ThrowIfCancellationRequested();
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxPause.Ticks));
            }
        }
        catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
        {
            // Shutdown ran out of time.
        }
    }
}
