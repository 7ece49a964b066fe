namespace Dnet.Perf;

/// <summary>Running totals of one node while request stats are built; nanoseconds, so sums are exact.</summary>
internal sealed class NodeTotals(string node)
{
    private readonly Dictionary<string, long> selfNsByGroup = new(StringComparer.Ordinal);
    private readonly List<(long Start, long End)> intervals = [];
    private long spans;
    private long bytesSent;
    private long bytesReceived;
    private double flops;
    private bool hasFlops;

    public string Node { get; } = node;

    public double Flops => flops;

    public bool HasFlops => hasFlops;

    public long ComputeSelfNs => selfNsByGroup.GetValueOrDefault(FrameGroups.Compute);

    public void Add(in StoredSpan span, string name, string group, long selfNs)
    {
        spans++;
        selfNsByGroup[group] = selfNsByGroup.GetValueOrDefault(group) + selfNs;
        intervals.Add((span.StartNs, span.EndNs));
        if (SpanAttributes.IsSend(name))
        {
            bytesSent += span.Bytes;
        }
        else if (name == SpanAttributes.NetworkRxFrame)
        {
            bytesReceived += span.Bytes;
        }
        else if (name == SpanAttributes.ComputeForwardFrame && span.Flops > 0)
        {
            flops += span.Flops;
            hasFlops = true;
        }
    }

    public NodeStats ToStats(IReadOnlyList<string> groups, long? wallNs)
    {
        var times = groups
            .Select(group => selfNsByGroup.GetValueOrDefault(group))
            .Select((ns, i) => new GroupTime(groups[i], UnixTime.Ms(ns), Percent(ns, wallNs)))
            .ToList();
        return new NodeStats(
            Node,
            spans,
            times,
            UnixTime.Ms(selfNsByGroup.Values.Sum()),
            UnixTime.Ms(BusyNs()),
            bytesSent,
            bytesReceived,
            hasFlops ? flops : null,
            Gflops(hasFlops ? flops : null, ComputeSelfNs));
    }

    /// <summary>Length of the union of the node's span intervals: the time it had any frame of the request open.</summary>
    private long BusyNs()
    {
        intervals.Sort();
        long busy = 0, runStart = long.MinValue, runEnd = long.MinValue;
        foreach (var (start, end) in intervals)
        {
            if (start > runEnd)
            {
                busy += runEnd - runStart;
                (runStart, runEnd) = (start, end);
            }
            else
            {
                runEnd = Math.Max(runEnd, end);
            }
        }

        return busy + (runEnd - runStart);
    }

    public static double? Percent(long ns, long? wallNs) => wallNs is > 0 and { } wall ? 100.0 * ns / wall : null;

    // FLOPs per nanosecond is GFLOP/s.
    public static double? Gflops(double? flops, long computeSelfNs) =>
        flops is { } f && computeSelfNs > 0 ? f / computeSelfNs : null;
}
