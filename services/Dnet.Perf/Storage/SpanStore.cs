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
        var requestId = AttributeValue.String(span.Attributes, SpanAttributes.RequestId);
        var request = string.IsNullOrEmpty(requestId)
            ? -1
            : requests.GetOrAdd(requestId, static (id, slot) => new RequestEntry(id, slot));
        var node = string.IsNullOrEmpty(span.Node) ? "unknown" : span.Node;
        var stored = new StoredSpan
        {
            SpanId = spanId,
            ParentSpanId = SpanIdCodec.Encode(span.ParentSpanId),
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
        traces[trace].Spans.Enqueue(seq);
        if (request >= 0)
        {
            var entry = requests[request];
            entry.Spans.Enqueue(seq);
            if (entry.Root is null && IsRequestRoot(span))
            {
                entry.Root = RootOf(span);
                entry.CompletionOrder = ++completions;
            }
        }

        return true;
    }

    private static bool IsRequestRoot(SpanRecord span) =>
        AttributeValue.String(span.Attributes, SpanAttributes.OperationName) is SpanAttributes.ChatOperation or SpanAttributes.TextCompletionOperation;

    private static RequestRoot RootOf(SpanRecord span) => new(
        span.StartUnixNs,
        span.DurationNs,
        AttributeValue.String(span.Attributes, SpanAttributes.RequestModel),
        AttributeValue.Long(span.Attributes, SpanAttributes.InputTokens),
        AttributeValue.Long(span.Attributes, SpanAttributes.OutputTokens),
        AttributeValue.String(span.Attributes, SpanAttributes.FinishReasons),
        span.Status);

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

        if (span.Request >= 0)
        {
            var request = requests[span.Request];
            request.Spans.Dequeue();
            request.EvictedSpans++;
            if (request.Spans.Count == 0)
            {
                requests.Remove(request.Id);
            }
        }

        arena.RemoveOldest();
    }
}
