using System.Globalization;

namespace Dnet.Benchmarks.Shared;

/// <summary>The <c>--name value</c> options of the cluster benchmarks.</summary>
static class BenchOptions
{
    public static string String(string[] args, string name, string fallback) =>
        Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;

    public static int Int(string[] args, string name, int fallback) =>
        int.Parse(String(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    /// <summary>A comma-separated list such as <c>--shards 1,2,4</c>.</summary>
    public static int[] IntList(string[] args, string name, string fallback) =>
        [.. String(args, name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(value => int.Parse(value, CultureInfo.InvariantCulture))];

    /// <summary>
    /// The cluster's API key: <c>--api-key KEY</c>, else <c>$DNET_API_KEY</c>, else none. With a key the benchmark's
    /// cluster is started with it (the AppHost's <c>api-key</c> parameter) and every request carries it.
    /// </summary>
    public static string? ApiKey(string[] args) =>
        String(args, "--api-key", "") is { Length: > 0 } key ? key
        : Environment.GetEnvironmentVariable("DNET_API_KEY") is { Length: > 0 } variable ? variable
        : null;

    /// <summary>The 1-minute load average: on a shared machine a load above the core count makes every number pessimistic.</summary>
    public static string? LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : null;
}
