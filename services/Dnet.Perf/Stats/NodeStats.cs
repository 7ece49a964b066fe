namespace Dnet.Perf;

/// <summary>One node's share of a request.</summary>
/// <param name="Node">Node name.</param>
/// <param name="Spans">The node's spans of this request (tagged with it, or inheriting it from an ancestor).</param>
/// <param name="Groups">Self time per counter group, every defined group listed, in definition order.</param>
/// <param name="SelfMs">Sum of the node's self times in ms (the sum of <paramref name="Groups"/>).</param>
/// <param name="BusyMs">
/// Union of the node's span intervals in ms. Self time partitions it, so it equals <paramref name="SelfMs"/> unless a
/// span outlived its parent.
/// </param>
/// <param name="BytesSent">
/// Sum of <c>dnet.bytes</c> on the node's sending frames (<c>network.tx</c>, <c>network.token.send</c>): serialized
/// message bytes, the same count the next hop's <c>network.rx</c> reports.
/// </param>
/// <param name="BytesReceived">Sum of <c>dnet.bytes</c> on the node's <c>network.rx</c> frames (serialized message bytes).</param>
/// <param name="EstimatedFlops">Sum of <c>dnet.flops</c> on the node's <c>compute.forward</c> frames; null when none carry it.</param>
/// <param name="AchievedGflopsPerSecond">Estimated FLOPs over the node's compute-group self time, in GFLOP/s.</param>
public sealed record NodeStats(
    string Node,
    long Spans,
    IReadOnlyList<GroupTime> Groups,
    double SelfMs,
    double BusyMs,
    long BytesSent,
    long BytesReceived,
    double? EstimatedFlops,
    double? AchievedGflopsPerSecond);
