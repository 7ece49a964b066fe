using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// Polls a service's <c>/health</c> every 100 ms from <see cref="Start"/> on and remembers every status with when it was
/// seen, so a test can ask when the service first reacted to <paramref name="failedNode"/>'s failure and whether it
/// recovered.
/// </summary>
internal sealed class HealthWatch(HttpClient http, string failedNode) : IDisposable
{
    private readonly ConcurrentQueue<(TimeSpan At, string Status, string Detail)> seen = new();
    private readonly CancellationTokenSource stop = new();
    private Stopwatch? clock;
    private Task? polling;

    /// <summary>
    /// From <see cref="Start"/> to the first report that reacted to the failure: not Healthy, or already Healthy on a ring
    /// without the failed node (a re-plan can finish between two polls, 100 ms apart).
    /// </summary>
    public TimeSpan? FirstReactionAfter => seen.FirstOrDefault(Reacted) is { Status: not null } first ? first.At : null;

    /// <summary>Every status seen, for a failing assertion's message.</summary>
    public string Seen => string.Join("; ", seen.Select(s => $"{s.At.TotalSeconds:F1}s {s.Status} {s.Detail}").Distinct().Take(40));

    public void Start()
    {
        clock = Stopwatch.StartNew();
        http.Timeout = TimeSpan.FromSeconds(5);
        polling = Task.Run(PollAsync);
    }

    /// <summary>Waits until <paramref name="status"/> is seen after the first report that reacted to the failure.</summary>
    public async Task<bool> WaitForAsync(string status, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            var after = FirstReactionAfter;
            if (after is not null && seen.Any(s => s.At > after && s.Status == status))
            {
                return true;
            }

            await Task.Delay(100, cancellationToken);
        }

        return false;
    }

    public void Dispose()
    {
        stop.Cancel();
        polling?.Wait(TimeSpan.FromSeconds(10));
        stop.Dispose();
        http.Dispose();
    }

    private bool Reacted((TimeSpan At, string Status, string Detail) report) =>
        report.Status != "Healthy" || !report.Detail.Contains(failedNode, StringComparison.Ordinal);

    private async Task PollAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync("/health", stop.Token);
                var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync(stop.Token)).RootElement;
                var model = report.GetProperty("checks").TryGetProperty("model", out var check) ? check.GetProperty("description").GetString() : null;
                seen.Enqueue((clock!.Elapsed, report.GetProperty("status").GetString() ?? "?", model ?? ""));
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException)
            {
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                seen.Enqueue((clock!.Elapsed, "Unreachable", exception.Message));
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }
}
