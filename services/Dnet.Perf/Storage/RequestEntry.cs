namespace Dnet.Perf;

/// <summary>
/// What the store knows about one request: its live spans (oldest first, including spans that inherited the request
/// from an ancestor) and, once the gateway's root span has arrived, the root's facts. The root's facts outlive the root span itself so that partial eviction does
/// not turn a completed request back into an incomplete one.
/// </summary>
internal sealed class RequestEntry(string id, int slot)
{
    public string Id { get; } = id;

    /// <summary>The slot spans of this request refer to it by.</summary>
    public int Slot { get; } = slot;

    public SeqList Spans { get; } = new();

    public RequestRoot? Root { get; set; }

    /// <summary>Order in which roots arrived; breaks ties between requests that finished at the same instant.</summary>
    public long CompletionOrder { get; set; }

    public long EvictedSpans { get; set; }

    public bool IsComplete => Root is not null;
}

/// <summary>Facts of a request taken from the gateway's root span.</summary>
internal sealed record RequestRoot(
    string TraceId,
    long StartNs,
    long DurationNs,
    string? Model,
    long? InputTokens,
    long? OutputTokens,
    string? FinishReasons,
    SpanStatus Status,
    string? TraceFilter)
{
    public long EndNs => StartNs + DurationNs;
}
