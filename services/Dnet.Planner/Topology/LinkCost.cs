namespace Dnet.Planner.Topology;

/// <summary>One-way cost of a hop between two nodes.</summary>
/// <param name="LatencyMs">One-way latency, milliseconds.</param>
/// <param name="BandwidthMBps">Throughput, 1e6 bytes/s; null when unlimited (not measured, or the same machine's loopback).</param>
public sealed record LinkCost(double LatencyMs, double? BandwidthMBps)
{
    /// <summary>No latency, no bandwidth limit: what the solver assumes for a link nobody measured.</summary>
    public static LinkCost Free { get; } = new(0, null);

    /// <summary>Milliseconds to move <paramref name="bytes"/> over this link, latency included.</summary>
    public double TimeMs(long bytes) => LatencyMs + TransferMs(bytes);

    /// <summary>Milliseconds spent on the wire for <paramref name="bytes"/>, latency excluded.</summary>
    public double TransferMs(long bytes) => BandwidthMBps is { } bandwidth ? bytes / (bandwidth * 1e6) * 1e3 : 0;
}
