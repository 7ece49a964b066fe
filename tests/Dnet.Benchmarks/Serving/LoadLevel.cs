using System.Diagnostics;
using Dnet.Benchmarks.Shared;

namespace Dnet.Benchmarks.Serving;

/// <summary>Sends a fixed number of requests with a fixed number in flight, as vLLM's <c>bench serve</c> does with <c>--max-concurrency</c>.</summary>
static class LoadLevel
{
    static readonly TimeSpan RequestLimit = TimeSpan.FromMinutes(3);

    public static async Task<LevelResult> RunAsync(HttpClient gateway, ChatLoad load, int concurrency, int requests, int seedBase, CancellationToken cancellationToken)
    {
        var timings = new RequestTiming?[requests];
        var failures = new List<string>();
        int next = -1;
        var wall = Stopwatch.StartNew();
        // Workers take the next request as soon as theirs finishes, so exactly min(concurrency, left) are in flight.
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (int i = Interlocked.Increment(ref next); i < requests; i = Interlocked.Increment(ref next))
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                limit.CancelAfter(RequestLimit);
                try
                {
                    timings[i] = await ChatStream.SendAsync(gateway, load, seedBase + i, limit.Token);
                }
                catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    lock (failures)
                    {
                        failures.Add(exception.Message);
                    }
                }
            }
        }));
        double wallSeconds = wall.Elapsed.TotalSeconds;
        return Summarize(concurrency, [.. timings.OfType<RequestTiming>()], failures, wallSeconds);
    }

    static LevelResult Summarize(int concurrency, List<RequestTiming> done, List<string> failures, double wallSeconds)
    {
        int tokens = done.Sum(t => t.OutputTokens);
        return new LevelResult(
            concurrency,
            done.Count,
            failures.Count,
            failures.Distinct().Take(3).ToList(),
            tokens,
            done.Count == 0 ? 0 : Math.Round(done.Average(t => t.PromptTokens), 1),
            Math.Round(wallSeconds, 3),
            Math.Round(done.Count / wallSeconds, 3),
            Math.Round(tokens / wallSeconds, 2),
            Distribution.Of(done.Select(t => t.TtftMs)),
            Distribution.Of(done.Select(t => t.TpotMs).OfType<double>()),
            Distribution.Of(done.SelectMany(t => t.ItlMs)),
            Distribution.Of(done.Select(t => t.E2eMs)));
    }
}

/// <summary>One (shards, concurrency) point; latencies in milliseconds.</summary>
sealed record LevelResult(
    int Concurrency,
    int CompletedRequests,
    int FailedRequests,
    IReadOnlyList<string> Failures,
    int OutputTokens,
    double MeanPromptTokens,
    double WallSeconds,
    double RequestsPerS,
    double OutputTokensPerS,
    Distribution TtftMs,
    Distribution TpotMs,
    Distribution ItlMs,
    Distribution E2eMs)
{
    /// <summary>CPU seconds each process of the benchmark spent during the level (<see cref="ProcessCpu"/>); null off Linux.</summary>
    public IReadOnlyDictionary<string, double>? CpuSeconds { get; init; }

    /// <summary>All of <see cref="CpuSeconds"/> over the level's wall time: how many cores the whole benchmark kept busy.</summary>
    public double? BusyCores => CpuSeconds is { Count: > 0 } cpu ? Math.Round(cpu.Values.Sum() / WallSeconds, 2) : null;

    /// <summary>CPU seconds the hypervisor gave to other guests during the level, over its wall time (0 on an idle host).</summary>
    public double? StolenCores { get; init; }
}
