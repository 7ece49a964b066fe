using Dnet.Perf;

namespace Dnet.Analytics.Ingest;

/// <summary>
/// Applies age-based retention while no spans arrive: the store trims on <see cref="SpanStore.Add"/>, so an idle
/// cluster would otherwise keep (and report) spans past their age limit.
/// </summary>
internal sealed class SpanRetention(SpanStore store, TimeProvider clock) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                store.Trim();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
