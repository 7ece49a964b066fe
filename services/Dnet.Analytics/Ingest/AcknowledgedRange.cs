namespace Dnet.Analytics.Ingest;

/// <summary>Entries an earlier run acknowledged: ids up to <paramref name="LastDelivered"/> except <paramref name="Pending"/>.</summary>
internal sealed record AcknowledgedRange(StreamId LastDelivered, IReadOnlySet<string> Pending)
{
    public bool Contains(string id) => StreamId.Parse(id).CompareTo(LastDelivered) <= 0 && !Pending.Contains(id);

    public bool IsPast(string id) => StreamId.Parse(id).CompareTo(LastDelivered) > 0;
}

/// <summary>A Redis stream id <c>milliseconds-sequence</c>, ordered as Redis orders them.</summary>
internal readonly record struct StreamId(ulong Milliseconds, ulong Sequence) : IComparable<StreamId>
{
    public static StreamId Parse(string id)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return dash < 0
            ? new StreamId(ulong.Parse(id, System.Globalization.CultureInfo.InvariantCulture), 0)
            : new StreamId(ulong.Parse(id.AsSpan(0, dash), System.Globalization.CultureInfo.InvariantCulture),
                ulong.Parse(id.AsSpan(dash + 1), System.Globalization.CultureInfo.InvariantCulture));
    }

    public int CompareTo(StreamId other) =>
        Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);
}
