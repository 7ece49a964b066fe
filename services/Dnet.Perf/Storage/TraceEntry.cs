namespace Dnet.Perf;

/// <summary>The live spans of one trace, oldest first; parent/child links only exist within a trace.</summary>
internal sealed class TraceEntry(string id)
{
    private Dictionary<ulong, List<long>>? waiting;

    public string Id { get; } = id;

    public Queue<long> Spans { get; } = new();

    /// <summary>
    /// Remembers that the span <paramref name="seq"/> has no request yet and takes its request from the span
    /// <paramref name="parentSpanId"/> (which has not arrived, or has no request yet either).
    /// </summary>
    public void Wait(ulong parentSpanId, long seq)
    {
        waiting ??= [];
        if (!waiting.TryGetValue(parentSpanId, out var children))
        {
            children = [];
            waiting.Add(parentSpanId, children);
        }

        children.Add(seq);
    }

    /// <summary>Takes the spans waiting for <paramref name="spanId"/>'s request; empty when none.</summary>
    public List<long>? TakeWaiting(ulong spanId) =>
        waiting is not null && waiting.Remove(spanId, out var children) ? children : null;

    /// <summary>Forgets a waiting span that retention evicts.</summary>
    public void StopWaiting(ulong parentSpanId, long seq)
    {
        if (waiting is not null && waiting.TryGetValue(parentSpanId, out var children) && children.Remove(seq) && children.Count == 0)
        {
            waiting.Remove(parentSpanId);
        }
    }
}
