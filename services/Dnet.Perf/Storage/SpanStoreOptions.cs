namespace Dnet.Perf;

/// <summary>Retention limits of a <see cref="SpanStore"/>. Eviction removes the oldest spans by arrival.</summary>
public sealed record SpanStoreOptions
{
    /// <summary>Most spans kept; the oldest are evicted past it. Default one million.</summary>
    public int MaxSpans { get; init; } = 1_000_000;

    /// <summary>Longest a span is kept after it arrived, or <c>null</c> for no age limit. Default one hour.</summary>
    public TimeSpan? MaxAge { get; init; } = TimeSpan.FromHours(1);
}
