using System.Runtime.InteropServices;

namespace Dnet.Perf;

/// <summary>
/// Self time of every span of a trace: duration minus the union of its children's intervals clipped to the
/// span, so overlapping async children are subtracted once. Which children count is set by
/// <see cref="SelfTimeScope"/>. Reuses its buffers; one instance per query, not thread-safe.
/// </summary>
internal sealed class SelfTimeCalculator(SelfTimeScope scope = SelfTimeScope.Process)
{

    private readonly Dictionary<ulong, int> indexOf = [];
    private readonly List<ChildInterval> children = [];
    private long[] selfNs = [];
    private long[] seqs = [];

    /// <summary>Sequence numbers of the trace's spans, aligned with <see cref="SelfNs"/>.</summary>
    public ReadOnlySpan<long> Seqs => seqs.AsSpan(0, Count);

    public ReadOnlySpan<long> SelfNs => selfNs.AsSpan(0, Count);

    public int Count { get; private set; }

    /// <summary>Rule printed in report headers.</summary>
    public static string Rule(SelfTimeScope scope) => scope == SelfTimeScope.Trace
        ? "self = duration - union of all children in the trace (any node; subject to clock skew)"
        : "self = duration - union of same-process children (remote children are waited-for time, kept in self)";

    public void Compute(SpanArena arena, TraceEntry trace)
    {
        Count = trace.Spans.Count;
        if (seqs.Length < Count)
        {
            seqs = new long[Math.Max(Count, seqs.Length * 2)];
            selfNs = new long[seqs.Length];
        }

        trace.Spans.CopyTo(seqs, 0);
        for (var i = 0; i < Count; i++)
        {
            selfNs[i] = arena[seqs[i]].DurationNs;
        }

        if (Count > 1)
        {
            CollectChildren(arena);
            SubtractCoverage();
        }
    }

    private void CollectChildren(SpanArena arena)
    {
        indexOf.Clear();
        children.Clear();
        for (var i = 0; i < Count; i++)
        {
            indexOf.TryAdd(arena[seqs[i]].SpanId, i);
        }

        for (var i = 0; i < Count; i++)
        {
            ref var child = ref arena[seqs[i]];
            if (!child.HasParent || !indexOf.TryGetValue(child.ParentSpanId, out var p) || p == i)
            {
                continue;
            }

            ref var parent = ref arena[seqs[p]];
            if (scope == SelfTimeScope.Process && (parent.Node != child.Node || parent.Service != child.Service))
            {
                continue;
            }

            var start = Math.Max(child.StartNs, parent.StartNs);
            var end = Math.Min(child.EndNs, parent.EndNs);
            if (end > start)
            {
                children.Add(new ChildInterval(p, start, end));
            }
        }
    }

    private void SubtractCoverage()
    {
        var span = CollectionsMarshal.AsSpan(children);
        span.Sort(static (a, b) => a.Parent != b.Parent ? a.Parent.CompareTo(b.Parent) : a.StartNs.CompareTo(b.StartNs));
        var i = 0;
        while (i < span.Length)
        {
            var parent = span[i].Parent;
            long covered = 0;
            var runStart = span[i].StartNs;
            var runEnd = span[i].EndNs;
            for (i++; i < span.Length && span[i].Parent == parent; i++)
            {
                if (span[i].StartNs > runEnd)
                {
                    covered += runEnd - runStart;
                    runStart = span[i].StartNs;
                }

                runEnd = Math.Max(runEnd, span[i].EndNs);
            }

            covered += runEnd - runStart;
            selfNs[parent] -= covered;
        }
    }

    private readonly record struct ChildInterval(int Parent, long StartNs, long EndNs);
}
