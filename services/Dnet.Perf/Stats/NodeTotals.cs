namespace Dnet.Perf;

/// <summary>Running totals of one node while request stats are built; nanoseconds, so sums are exact.</summary>
internal sealed class NodeTotals(string node)
{
    private readonly Dictionary<string, long> selfNsByGroup = new(StringComparer.Ordinal);
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
        switch (name)
        {
            case SpanAttributes.NetworkTxFrame:
                bytesSent += span.Bytes;
                break;
            case SpanAttributes.NetworkRxFrame:
                bytesReceived += span.Bytes;
                break;
            case SpanAttributes.ComputeForwardFrame when span.Flops > 0:
                flops += span.Flops;
                hasFlops = true;
                break;
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
            bytesSent,
            bytesReceived,
            hasFlops ? flops : null,
            Gflops(hasFlops ? flops : null, ComputeSelfNs));
    }

    public static double? Percent(long ns, long? wallNs) => wallNs is > 0 and { } wall ? 100.0 * ns / wall : null;

    // FLOPs per nanosecond is GFLOP/s.
    public static double? Gflops(double? flops, long computeSelfNs) =>
        flops is { } f && computeSelfNs > 0 ? f / computeSelfNs : null;
}
