namespace Dnet.Perf;

/// <summary>
/// Thread-safe, bounded store of spans. Spans may arrive in any order and more than once: a (trace id, span id)
/// is kept once, children may precede parents and shard spans may precede the gateway's root (the request is
/// "incomplete" until the root arrives; its spans are kept meanwhile). Retention evicts the oldest spans by
/// arrival, past <see cref="SpanStoreOptions.MaxSpans"/> or <see cref="SpanStoreOptions.MaxAge"/>, and counts
/// every eviction (<see cref="Counters"/>; per request in <see cref="RequestStats.EvictedSpans"/>).
/// </summary>
public sealed partial class SpanStore : IDisposable
{
    private readonly ReaderWriterLockSlim gate = new();
    private readonly SpanStoreOptions options;
    private readonly TimeProvider clock;
    private readonly SpanArena arena = new();
    private readonly Dictionary<SpanKey, long> bySpanKey = [];
    private readonly InternTable names = new();
    private readonly InternTable nodes = new();
    private readonly InternTable services = new();
    private readonly RecyclingTable<TraceEntry> traces = new();
    private readonly RecyclingTable<RequestEntry> requests = new();
    private long received;
    private long duplicates;
    private long rejected;
    private long evictedByCount;
    private long evictedByAge;
    private long completions;

    /// <summary>Creates a store.</summary>
    /// <param name="options">Retention limits; defaults when null.</param>
    /// <param name="clock">Clock for age-based retention; the system clock when null.</param>
    public SpanStore(SpanStoreOptions? options = null, TimeProvider? clock = null)
    {
        this.options = options ?? new SpanStoreOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(this.options.MaxSpans);
        this.clock = clock ?? TimeProvider.System;
    }

    /// <summary>Adds a batch of spans, then applies retention.</summary>
    /// <param name="spans">Spans in any order; duplicates of kept spans are counted and ignored.</param>
    /// <returns>How many spans were newly kept.</returns>
    public int Add(IEnumerable<SpanRecord> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var now = clock.GetUtcNow().UtcTicks;
        var added = 0;
        gate.EnterWriteLock();
        try
        {
            foreach (var span in spans)
            {
                received++;
                if (TryAppend(span, now))
                {
                    added++;
                }
            }

            Evict(now);
        }
        finally
        {
            gate.ExitWriteLock();
        }

        return added;
    }

    /// <summary>Applies age-based retention without adding spans; hosts may call it on a timer.</summary>
    public void Trim()
    {
        gate.EnterWriteLock();
        try
        {
            Evict(clock.GetUtcNow().UtcTicks);
        }
        finally
        {
            gate.ExitWriteLock();
        }
    }

    /// <summary>Current counters.</summary>
    public SpanStoreCounters Counters
    {
        get
        {
            using var read = BeginRead();
            var incomplete = requests.Slots.Count(slot => !requests[slot].IsComplete);
            return new SpanStoreCounters(
                received, arena.Count, duplicates, rejected, evictedByCount, evictedByAge, requests.Count, incomplete);
        }
    }

    /// <inheritdoc />
    public void Dispose() => gate.Dispose();

    private bool TryAppend(SpanRecord span, long arrivalTicks)
    {
        var spanId = SpanIdCodec.Encode(span.SpanId);
        if (string.IsNullOrEmpty(span.TraceId) || spanId == 0 || string.IsNullOrEmpty(span.Name) || span.DurationNs < 0)
        {
            rejected++;
            return false;
        }

        if (traces.TryFind(span.TraceId, out var existing) && bySpanKey.ContainsKey(new SpanKey(existing, spanId)))
        {
            duplicates++;
            return false;
        }

        var trace = traces.GetOrAdd(span.TraceId, static (id, _) => new TraceEntry(id));
        var parentSpanId = SpanIdCodec.Encode(span.ParentSpanId);
        var requestId = AttributeValue.String(span.Attributes, SpanAttributes.RequestId);
        // The emitter's tag wins; an untagged span belongs to the request of its nearest ancestor in the trace.
        var request = !string.IsNullOrEmpty(requestId)
            ? requests.GetOrAdd(requestId, static (id, slot) => new RequestEntry(id, slot))
            : parentSpanId != 0 && bySpanKey.TryGetValue(new SpanKey(trace, parentSpanId), out var parentSeq)
                ? arena[parentSeq].Request
                : -1;
        var node = string.IsNullOrEmpty(span.Node) ? "unknown" : span.Node;
        var stored = new StoredSpan
        {
            SpanId = spanId,
            ParentSpanId = parentSpanId,
            StartNs = span.StartUnixNs,
            DurationNs = span.DurationNs,
            ArrivalTicks = arrivalTicks,
            Bytes = AttributeValue.Long(span.Attributes, SpanAttributes.Bytes) ?? 0,
            Flops = AttributeValue.Double(span.Attributes, SpanAttributes.Flops) ?? 0,
            Trace = trace,
            Request = request,
            Name = names.Intern(span.Name),
            Node = nodes.Intern(node),
            Service = services.Intern(string.IsNullOrEmpty(span.Service) ? node : span.Service),
            TokenIndex = (int)(AttributeValue.Long(span.Attributes, SpanAttributes.TokenIndex) ?? -1),
            Status = span.Status,
        };
        var seq = arena.Append(stored);
        bySpanKey.Add(new SpanKey(trace, spanId), seq);
        var traceEntry = traces[trace];
        traceEntry.Spans.Enqueue(seq);
        if (request < 0)
        {
            // Its ancestor has not arrived (children end, and so are exported, before their parents) or has no
            // request yet: resolved when it gets one. A span whose ancestors never name a request stays unattributed.
            if (parentSpanId != 0)
            {
                traceEntry.Wait(parentSpanId, seq);
            }

            return true;
        }

        var entry = requests[request];
        entry.Spans.Add(seq);
        if (entry.Root is null && IsRequestRoot(span))
        {
            entry.Root = RootOf(span);
            entry.CompletionOrder = ++completions;
        }

        Attribute(traceEntry, spanId, request);
        return true;
    }

    private static bool IsRequestRoot(SpanRecord span) =>
        AttributeValue.String(span.Attributes, SpanAttributes.OperationName) is SpanAttributes.ChatOperation or SpanAttributes.TextCompletionOperation;

    /// <summary>Hands <paramref name="request"/> down to the spans that were waiting for <paramref name="spanId"/>, and theirs.</summary>
    private void Attribute(TraceEntry trace, ulong spanId, int request)
    {
        if (trace.TakeWaiting(spanId) is not { } first)
        {
            return;
        }

        var entry = requests[request];
        var pending = new Stack<List<long>>();
        pending.Push(first);
        while (pending.TryPop(out var children))
        {
            foreach (var seq in children)
            {
                ref var child = ref arena[seq];
                child.Request = request;
                entry.Spans.Add(seq);
                if (trace.TakeWaiting(child.SpanId) is { } grandchildren)
                {
                    pending.Push(grandchildren);
                }
            }
        }
    }

    private static RequestRoot RootOf(SpanRecord span) => new(
        span.TraceId,
        span.StartUnixNs,
        span.DurationNs,
        AttributeValue.String(span.Attributes, SpanAttributes.RequestModel),
        AttributeValue.Long(span.Attributes, SpanAttributes.InputTokens),
        AttributeValue.Long(span.Attributes, SpanAttributes.OutputTokens),
        AttributeValue.String(span.Attributes, SpanAttributes.FinishReasons),
        span.Status,
        AttributeValue.String(span.Attributes, SpanAttributes.TraceFilter));

    private void Evict(long nowTicks)
    {
        while (arena.Count > options.MaxSpans)
        {
            EvictOldest();
            evictedByCount++;
        }

        if (options.MaxAge is not { } maxAge)
        {
            return;
        }

        var cutoff = nowTicks - maxAge.Ticks;
        while (arena.Count > 0 && arena[arena.Head].ArrivalTicks < cutoff)
        {
            EvictOldest();
            evictedByAge++;
        }
    }

    // The oldest span is necessarily at the front of its trace's and its request's queues: all are in arrival order.
    private void EvictOldest()
    {
        var seq = arena.Head;
        ref var span = ref arena[seq];
        bySpanKey.Remove(new SpanKey(span.Trace, span.SpanId));
        var trace = traces[span.Trace];
        trace.Spans.Dequeue();
        if (trace.Spans.Count == 0)
        {
            traces.Remove(trace.Id);
        }

        if (span.Request < 0 && span.HasParent)
        {
            trace.StopWaiting(span.ParentSpanId, seq);
        }

        if (span.Request >= 0)
        {
            var request = requests[span.Request];
            request.Spans.RemoveFirst(seq);
            request.EvictedSpans++;
            if (request.Spans.Count == 0)
            {
                requests.Remove(request.Id);
            }
        }

        arena.RemoveOldest();
    }
}
