using Dnet.Planner.Topology;

namespace Dnet.Planner.Tests.Solver;

/// <summary>Small hand-checkable problems: compute-bound layers whose memory traffic is negligible.</summary>
internal static class Problems
{
    /// <summary>So fast that memory time (bytes / bandwidth) is below a nanosecond and never the bound.</summary>
    public const double NoMemoryLimitGbps = 1e9;

    /// <summary><paramref name="layers"/> layers of 1 GFLOP and <paramref name="weightBytes"/> bytes each.</summary>
    public static ModelCosts Layers(int layers, long weightBytes = 100, long kvBytesPerToken = 0, long embeddingBytes = 0, long activationBytes = 1000) =>
        new([.. Enumerable.Repeat(new LayerCost(weightBytes, 1e9, kvBytesPerToken), layers)], embeddingBytes, 0, 0, 0, activationBytes);

    public static DeviceCapacity Device(string node, double gflops, long memoryBytes = 1_000_000) =>
        new(node, memoryBytes, gflops, NoMemoryLimitGbps, 1);

    public static PlanningProblem Problem(ModelCosts model, LinkTable? links = null, int context = 1, bool useAll = false, params DeviceCapacity[] devices) =>
        new(model, devices, links ?? new LinkTable(), context, useAll);

    /// <summary>Layers per node, e.g. "a:2 b:3" in ring order.</summary>
    public static string Describe(TopologyPlan plan) => string.Join(" ", plan.Shards.Select(s => $"{s.Node}:{s.Start}-{s.End}"));
}
