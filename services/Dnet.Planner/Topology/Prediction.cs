namespace Dnet.Planner.Topology;

/// <summary>Predicted decode cost of one shard's layers for one token.</summary>
public sealed record ShardPrediction(
    string Node,
    int LayerStart,
    int LayerEnd,
    double FlopsPerToken,
    long BytesReadPerToken,
    double ComputeMs,
    double MemoryMs,
    long MemoryRequiredBytes,
    long UsableMemoryBytes)
{
    /// <summary>A shard is as slow as the slower of its arithmetic and its memory traffic (roofline).</summary>
    public double TimeMs => Math.Max(ComputeMs, MemoryMs);

    public string Bound => ComputeMs >= MemoryMs ? "compute" : "memory";
}

/// <summary>Predicted cost of one hop for one token.</summary>
public sealed record HopPrediction(string From, string To, long BytesPerToken, double LatencyMs, double TransferMs)
{
    public double TimeMs => LatencyMs + TransferMs;
}

/// <summary>Predicted per-token decode latency of a ring: every shard's time plus every hop's, gateway hops included.</summary>
public sealed record Prediction(IReadOnlyList<ShardPrediction> Shards, IReadOnlyList<HopPrediction> Hops)
{
    public double ComputeMs => Shards.Sum(s => s.TimeMs);

    public double LinkMs => Hops.Sum(h => h.TimeMs);

    public double TotalMs => ComputeMs + LinkMs;

    public double TokensPerSecond => TotalMs > 0 ? 1000 / TotalMs : double.PositiveInfinity;
}
