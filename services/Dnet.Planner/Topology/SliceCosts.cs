namespace Dnet.Planner.Topology;

/// <summary>
/// O(1) costs of "device d holds layers [start, end)" from prefix sums, so the dynamic programs can try every split.
/// </summary>
internal sealed class SliceCosts
{
    private readonly PlanningProblem problem;
    private readonly long[] weightPrefix;
    private readonly long[] kvPrefix;
    private readonly double[] flopsPrefix;

    public SliceCosts(PlanningProblem problem)
    {
        this.problem = problem;
        int layers = problem.Model.LayerCount;
        weightPrefix = new long[layers + 1];
        kvPrefix = new long[layers + 1];
        flopsPrefix = new double[layers + 1];
        for (int i = 0; i < layers; i++)
        {
            var layer = problem.Model.Layers[i];
            weightPrefix[i + 1] = weightPrefix[i] + layer.WeightBytes;
            kvPrefix[i + 1] = kvPrefix[i] + layer.KvBytesPerToken;
            flopsPrefix[i + 1] = flopsPrefix[i] + layer.FlopsPerToken;
        }
    }

    public int Layers => problem.Model.LayerCount;

    /// <summary>Weights, KV cache for the context, and the embedding/head when the slice holds an end of the model.</summary>
    public long MemoryRequired(int start, int end)
    {
        var model = problem.Model;
        bool first = start == 0, last = end == Layers;
        return weightPrefix[end] - weightPrefix[start]
            + (kvPrefix[end] - kvPrefix[start]) * problem.ContextLength
            + (first ? model.EmbeddingBytes : 0)
            + (last ? model.HeadBytes : 0)
            - (first && last ? model.TiedHeadBytes : 0);
    }

    /// <summary>Bytes a decode step streams from memory: every weight once, the whole KV cache once, lm_head on the last slice.</summary>
    public long BytesRead(int start, int end) =>
        weightPrefix[end] - weightPrefix[start]
        + (kvPrefix[end] - kvPrefix[start]) * problem.ContextLength
        + (end == Layers ? problem.Model.HeadBytes : 0);

    public double Flops(int start, int end) =>
        flopsPrefix[end] - flopsPrefix[start] + (end == Layers ? problem.Model.HeadFlopsPerToken : 0);

    public ShardPrediction Predict(int device, int start, int end)
    {
        var capacity = problem.Devices[device];
        return new ShardPrediction(
            capacity.Node,
            start,
            end,
            Flops(start, end),
            BytesRead(start, end),
            ComputeMs(capacity, start, end),
            MemoryMs(capacity, start, end),
            MemoryRequired(start, end),
            capacity.UsableMemoryBytes);
    }

    /// <summary>Decode milliseconds (as <see cref="ShardPrediction.TimeMs"/>), or +infinity when the slice does not fit.</summary>
    public double TimeMs(int device, int start, int end)
    {
        var capacity = problem.Devices[device];
        return MemoryRequired(start, end) > capacity.UsableMemoryBytes
            ? double.PositiveInfinity
            : Math.Max(ComputeMs(capacity, start, end), MemoryMs(capacity, start, end));
    }

    private double ComputeMs(DeviceCapacity capacity, int start, int end) => Flops(start, end) / (capacity.Gflops * 1e9) * 1e3;

    private double MemoryMs(DeviceCapacity capacity, int start, int end) =>
        BytesRead(start, end) / (capacity.MemoryBandwidthGbps * 1e9) * 1e3;

    /// <summary>Bytes by which the slice exceeds the device's memory (0 when it fits).</summary>
    public double OverflowBytes(int device, int start, int end) =>
        Math.Max(0, MemoryRequired(start, end) - problem.Devices[device].UsableMemoryBytes);

    /// <summary>Hop from device <paramref name="from"/> to device <paramref name="to"/>; -1 is the gateway.</summary>
    public HopPrediction Hop(int from, int to)
    {
        string fromNode = from < 0 ? LinkTable.Gateway : problem.Devices[from].Node;
        string toNode = to < 0 ? LinkTable.Gateway : problem.Devices[to].Node;
        long bytes = from < 0 || to < 0 ? ModelCosts.TokenBytesPerToken : problem.Model.ActivationBytesPerToken;
        var link = problem.Links.Get(fromNode, toNode);
        return new HopPrediction(fromNode, toNode, bytes, link.LatencyMs, link.TransferMs(bytes));
    }

    public double HopMs(int from, int to) => Hop(from, to).TimeMs;
}
