namespace Dnet.Perf;

/// <summary>
/// Compact form of a span inside the store: strings are interned to ids and only the attributes the analysis
/// reads are kept, so a million spans cost about a hundred bytes each instead of a dictionary each.
/// </summary>
internal struct StoredSpan
{
    public ulong SpanId;
    public ulong ParentSpanId;
    public long StartNs;
    public long DurationNs;
    public long ArrivalTicks;
    public long Bytes;
    public double Flops;
    public int Trace;
    public int Request;
    public int Name;
    public int Node;
    public int Service;
    public int TokenIndex;
    public SpanStatus Status;

    public readonly long EndNs => StartNs + DurationNs;

    public readonly bool HasParent => ParentSpanId != 0;
}
