namespace Dnet.Perf;

/// <summary>What a <see cref="SpanStore"/> has received, kept and dropped; nothing is dropped without a count.</summary>
/// <param name="Received">Spans passed to <see cref="SpanStore.Add"/>, duplicates and rejects included.</param>
/// <param name="Stored">Spans currently kept.</param>
/// <param name="Duplicates">Spans ignored because the same (trace id, span id) was already kept.</param>
/// <param name="Rejected">Spans ignored because they lacked a trace id, span id or name, or had a negative duration.</param>
/// <param name="EvictedByCount">Spans evicted to stay under <see cref="SpanStoreOptions.MaxSpans"/>.</param>
/// <param name="EvictedByAge">Spans evicted for being older than <see cref="SpanStoreOptions.MaxAge"/>.</param>
/// <param name="Requests">Requests with at least one kept span.</param>
/// <param name="IncompleteRequests">Of those, requests whose root span has not arrived.</param>
public sealed record SpanStoreCounters(
    long Received,
    long Stored,
    long Duplicates,
    long Rejected,
    long EvictedByCount,
    long EvictedByAge,
    int Requests,
    int IncompleteRequests);
