using System.ComponentModel.DataAnnotations;
using Dnet.Contracts.Tracing;

namespace Dnet.Analytics.Ingest;

/// <summary>Settings of the span stream consumer and the span store, bound from <c>Dnet:Analytics</c>.</summary>
public sealed class AnalyticsOptions
{
    public const string Section = "Dnet:Analytics";

    /// <summary>The stream to consume.</summary>
    [Required]
    public string Stream { get; set; } = SpanStream.Key;

    /// <summary>
    /// Consumer group. Entries are split between the consumers of a group, and the store is in memory, so every
    /// analytics replica needs a group of its own to see every span.
    /// </summary>
    [Required]
    public string Group { get; set; } = "analytics";

    /// <summary>
    /// Consumer name; stable across restarts so a restarted instance finds (and finishes) the entries it had read
    /// but not acknowledged.
    /// </summary>
    [Required]
    public string Consumer { get; set; } = "analytics-1";

    /// <summary>Entries per read.</summary>
    [Range(1, 10_000)]
    public int ReadCount { get; set; } = 100;

    /// <summary>How long one read waits for new entries: short, so shutdown and claiming are never far away.</summary>
    [Range(1, 60_000)]
    public int BlockMilliseconds { get; set; } = 500;

    /// <summary>Entries pending this long on another consumer are taken over (that consumer is presumed dead).</summary>
    [Range(1, int.MaxValue)]
    public int ClaimIdleMilliseconds { get; set; } = 60_000;

    /// <summary>How often pending entries of other consumers are looked for.</summary>
    [Range(10, int.MaxValue)]
    public int ClaimIntervalMilliseconds { get; set; } = 10_000;

    /// <summary>First retry delay after a Redis failure; doubles up to <see cref="RetryMaxMilliseconds"/>.</summary>
    [Range(1, 60_000)]
    public int RetryMinMilliseconds { get; set; } = 250;

    /// <summary>Longest retry delay after repeated Redis failures.</summary>
    [Range(1, 600_000)]
    public int RetryMaxMilliseconds { get; set; } = 5_000;

    /// <summary>Most spans kept in memory; the oldest are evicted past it.</summary>
    [Range(1, 100_000_000)]
    public int MaxSpans { get; set; } = 1_000_000;

    /// <summary>Longest a span is kept after it arrived, in minutes; 0 keeps spans until <see cref="MaxSpans"/> evicts them.</summary>
    [Range(0, 100_000)]
    public int MaxAgeMinutes { get; set; } = 60;

    /// <summary>
    /// Base address of the Aspire dashboard (the AppHost sets it), so request stats link to their trace; none when empty.
    /// </summary>
    public string? DashboardUrl { get; set; }

    /// <summary>Custom counter groups defined at start-up: group name to frame-name prefixes.</summary>
    public Dictionary<string, string[]> Groups { get; set; } = [];
}
