using System.Globalization;

namespace Dnet.Planner.Topology;

/// <summary>
/// Chooses contiguous layer ranges in ring order that minimize predicted per-token decode latency under each device's
/// memory, or checks and predicts a manual assignment.
/// </summary>
/// <remarks>
/// The first device is not fixed: the gateway's links to the first and from the last shard, and the embedding and head
/// that the first and last shard hold, make the position of every device matter, so every order is searched (exactly,
/// see <see cref="RingSearch.SearchAllOrders"/>) for up to <see cref="MaxDevicesForOrderSearch"/> devices. Above that the
/// devices' list order is kept and only the splits (and which devices to skip) are optimized.
/// </remarks>
public sealed class TopologySolver
{
    public const int MaxDevicesForOrderSearch = 8;

    public TopologyPlan Solve(PlanningProblem problem)
    {
        Validate(problem);
        var costs = new SliceCosts(problem);
        int devices = problem.Devices.Count, layers = problem.Model.LayerCount;
        if (problem.UseAllDevices && devices > layers)
        {
            throw new PlanningException($"every device must get a layer, but there are {devices} devices and only {layers} layers");
        }

        bool searchOrders = devices <= MaxDevicesForOrderSearch;
        var latency = new RingSearch(devices, layers, costs.TimeMs, costs.HopMs);
        var path = searchOrders ? latency.SearchAllOrders(problem.UseAllDevices) : latency.SearchFixedOrder(problem.UseAllDevices);
        if (path is null)
        {
            throw DoesNotFit(problem, costs, searchOrders);
        }

        var shards = path.Slices.Select(s => new LayerAssignment(problem.Devices[s.Device].Node, s.Start, s.End)).ToList();
        return new TopologyPlan(shards, Excluded(problem, shards), Predict(problem, costs, path.Slices), searchOrders);
    }

    /// <summary>Validates a manual assignment (node → layers) and predicts it; the ring order is by first layer.</summary>
    public TopologyPlan Evaluate(PlanningProblem problem, IReadOnlyDictionary<string, (int Start, int End)> manual)
    {
        Validate(problem);
        var costs = new SliceCosts(problem);
        int layers = problem.Model.LayerCount;
        var problems = new List<string>();
        var byNode = problem.Devices.Select((d, i) => (d.Node, i)).ToDictionary(x => x.Node, x => x.i);
        var slices = new List<(int Device, int Start, int End)>();

        if (manual.Count == 0)
        {
            problems.Add("no shard is assigned any layers");
        }
        foreach (var (node, (start, end)) in manual.OrderBy(m => m.Value.Start).ThenBy(m => m.Key, StringComparer.Ordinal))
        {
            if (!byNode.TryGetValue(node, out int device))
            {
                problems.Add($"unknown node '{node}' (known: {string.Join(", ", byNode.Keys)})");
            }
            else if (start < 0 || end > layers || start >= end)
            {
                problems.Add($"{node}: [{start}, {end}) is not a non-empty layer range within [0, {layers})");
            }
            else
            {
                slices.Add((device, start, end));
            }
        }

        int covered = 0;
        foreach (var (device, start, end) in slices)
        {
            string node = problem.Devices[device].Node;
            if (start > covered)
            {
                problems.Add($"layers [{covered}, {start}) are not assigned to any shard");
            }
            else if (start < covered)
            {
                problems.Add($"{node} [{start}, {end}) overlaps layers assigned before it (up to {covered})");
            }
            covered = Math.Max(covered, end);

            long required = costs.MemoryRequired(start, end), usable = problem.Devices[device].UsableMemoryBytes;
            if (required > usable)
            {
                problems.Add(Invariant($"{node} needs {required:N0} bytes for layers [{start}, {end}) but has {usable:N0} usable (short by {required - usable:N0} bytes)"));
            }
        }
        if (slices.Count > 0 && covered < layers)
        {
            problems.Add($"layers [{covered}, {layers}) are not assigned to any shard");
        }
        if (problems.Count > 0)
        {
            throw new InvalidAssignmentException(problems);
        }

        var shards = slices.Select(s => new LayerAssignment(problem.Devices[s.Device].Node, s.Start, s.End)).ToList();
        return new TopologyPlan(shards, Excluded(problem, shards), Predict(problem, costs, slices), OrdersSearched: false);
    }

    private static void Validate(PlanningProblem problem)
    {
        if (problem.Model.LayerCount == 0)
        {
            throw new PlanningException("the model has no layers");
        }
        if (problem.ContextLength <= 0)
        {
            throw new PlanningException($"context length must be positive, got {problem.ContextLength}");
        }
        if (problem.Devices.Count == 0)
        {
            throw new PlanningException("no devices to place the model on");
        }
        if (problem.Devices.GroupBy(d => d.Node).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new PlanningException($"device '{duplicate.Key}' is listed twice");
        }
        if (problem.Devices.FirstOrDefault(d => !(d.Gflops > 0) || !(d.MemoryBandwidthGbps > 0)) is { } device)
        {
            throw new PlanningException($"device '{device.Node}' reports {device.Gflops} GFLOP/s and {device.MemoryBandwidthGbps} GB/s: both must be positive");
        }
    }

    private static Prediction Predict(PlanningProblem problem, SliceCosts costs, IReadOnlyList<(int Device, int Start, int End)> slices)
    {
        var hops = new List<HopPrediction>();
        int previous = -1;
        foreach (var slice in slices)
        {
            hops.Add(costs.Hop(previous, slice.Device));
            previous = slice.Device;
        }
        hops.Add(costs.Hop(previous, -1));
        return new Prediction([.. slices.Select(s => costs.Predict(s.Device, s.Start, s.End))], hops);
    }

    private static List<string> Excluded(PlanningProblem problem, IReadOnlyList<LayerAssignment> shards) =>
        [.. problem.Devices.Select(d => d.Node).Where(node => shards.All(s => s.Node != node))];

    /// <summary>
    /// The shortfall is the smallest total overflow any split can reach (the same search, minimizing bytes over memory
    /// instead of time): what would have to be added for the model to fit.
    /// </summary>
    private static ModelDoesNotFitException DoesNotFit(PlanningProblem problem, SliceCosts costs, bool searchOrders)
    {
        var overflow = new RingSearch(problem.Devices.Count, costs.Layers, costs.OverflowBytes, (_, _) => 0);
        var closest = searchOrders ? overflow.SearchAllOrders(problem.UseAllDevices) : overflow.SearchFixedOrder(problem.UseAllDevices);
        long shortfall = (long)Math.Ceiling(closest!.Cost);
        long required = costs.MemoryRequired(0, costs.Layers);
        long available = problem.Devices.Sum(d => d.UsableMemoryBytes);
        var model = problem.Model;
        return new ModelDoesNotFitException(
            Invariant($"the model does not fit: the closest split is short of memory by {shortfall:N0} bytes. ")
            + Invariant($"On one device it needs {required:N0} bytes (weights {model.Layers.Sum(l => l.WeightBytes):N0}, ")
            + Invariant($"KV cache {model.Layers.Sum(l => l.KvBytesPerToken) * problem.ContextLength:N0} for {problem.ContextLength} tokens, ")
            + Invariant($"embedding {model.EmbeddingBytes:N0}, final norm and untied lm_head {model.HeadBytes - model.TiedHeadBytes:N0}); ")
            + Invariant($"the {problem.Devices.Count} devices offer {available:N0} bytes together"),
            shortfall,
            required,
            available);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
