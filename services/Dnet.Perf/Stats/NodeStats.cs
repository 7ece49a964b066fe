namespace Dnet.Perf;

/// <summary>One node's share of a request.</summary>
/// <param name="Node">Node name.</param>
/// <param name="Spans">The node's spans of this request.</param>
/// <param name="Groups">Self time per counter group, every defined group listed, in definition order.</param>
/// <param name="SelfMs">Sum of the node's self times in ms (the sum of <paramref name="Groups"/>).</param>
/// <param name="BytesSent">Sum of <c>dnet.bytes</c> on the node's <c>network.tx</c> frames.</param>
/// <param name="BytesReceived">Sum of <c>dnet.bytes</c> on the node's <c>network.rx</c> frames.</param>
/// <param name="EstimatedFlops">Sum of <c>dnet.flops</c> on the node's <c>compute.forward</c> frames; null when none carry it.</param>
/// <param name="AchievedGflopsPerSecond">Estimated FLOPs over the node's compute-group self time, in GFLOP/s.</param>
public sealed record NodeStats(
    string Node,
    long Spans,
    IReadOnlyList<GroupTime> Groups,
    double SelfMs,
    long BytesSent,
    long BytesReceived,
    double? EstimatedFlops,
    double? AchievedGflopsPerSecond);
