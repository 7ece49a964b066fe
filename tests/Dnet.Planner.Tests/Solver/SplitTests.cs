using Dnet.Planner.Topology;
using static Dnet.Planner.Tests.Solver.Problems;

namespace Dnet.Planner.Tests.Solver;

[TestClass]
public sealed class SplitTests
{
    private readonly TopologySolver solver = new();

    [TestMethod]
    public void TwoDevicesTheFastOneTakesWhatFitsAfterTheEmbeddingGoesToTheSlowOne()
    {
        // 4 layers of 1 GFLOP: 10 ms each on the fast device, 20 ms on the slow one; a 1 ms link between them.
        // The fast device holds 3 layers (300 bytes), or only 2 when it also holds the 100-byte embedding:
        //   fast[0,2) + slow[2,4) = 20 + 1 + 40 = 61;  slow[0,1) + fast[1,4) = 20 + 1 + 30 = 51;  slow alone = 80.
        var links = new LinkTable().Set("fast", "slow", new LinkCost(1, null)).Set("slow", "fast", new LinkCost(1, null));
        var problem = Problem(Layers(4, embeddingBytes: 100), links, devices: [Device("fast", 100, 300), Device("slow", 50, 1000)]);

        var plan = solver.Solve(problem);

        Assert.AreEqual("slow:0-1 fast:1-4", Describe(plan));
        Assert.AreEqual(51, plan.Prediction.TotalMs, 1e-6);
        Assert.AreEqual(1, plan.Prediction.LinkMs, 1e-6);
        Assert.AreEqual(20, plan.Prediction.Shards[0].ComputeMs, 1e-6);
        Assert.AreEqual(30, plan.Prediction.Shards[1].ComputeMs, 1e-6);
        Assert.AreEqual("compute", plan.Prediction.Shards[1].Bound);
        Assert.IsTrue(plan.OrdersSearched);
    }

    [TestMethod]
    public void ThreeDevicesAreFilledFastestFirst()
    {
        // 10, 20 and 40 ms per layer; room for 2, 3 and 6 layers. Free links: the 6 layers go 2 to a, 3 to b,
        // 1 to c: 20 + 60 + 40 = 120 ms (moving a layer from b to c costs +20, c can take no layer from a full a).
        var problem = Problem(Layers(6), devices: [Device("a", 100, 200), Device("b", 50, 300), Device("c", 25, 600)]);

        var plan = solver.Solve(problem);

        Assert.AreEqual(120, plan.Prediction.TotalMs, 1e-6);
        var counts = plan.Shards.ToDictionary(s => s.Node, s => s.Count);
        Assert.AreEqual(2, counts["a"]);
        Assert.AreEqual(3, counts["b"]);
        Assert.AreEqual(1, counts["c"]);
        AssertContiguous(plan, 6);
    }

    [TestMethod]
    public void MemoryTimeBoundsAShardWhenItStreamsMoreThanItComputes()
    {
        // One layer of 1 GFLOP and 1e9 bytes on 1000 GFLOP/s (1 ms) with 10 GB/s (100 ms): memory-bound at 100 ms.
        var model = new ModelCosts([new LayerCost(1_000_000_000, 1e9, 0)], 0, 0, 0, 0, 10);
        var problem = Problem(model, devices: [new DeviceCapacity("a", 2_000_000_000, 1000, 10, 1)]);

        var shard = solver.Solve(problem).Prediction.Shards.Single();

        Assert.AreEqual(1, shard.ComputeMs, 1e-9);
        Assert.AreEqual(100, shard.MemoryMs, 1e-9);
        Assert.AreEqual(100, shard.TimeMs, 1e-9);
        Assert.AreEqual("memory", shard.Bound);
    }

    [TestMethod]
    public void ActivationTransferTimeIsAddedPerHop()
    {
        // Two identical devices that each hold 2 of 4 layers; 0.5 ms latency and 1 MB/s: 1000 bytes take 1 ms more.
        var link = new LinkCost(0.5, 1);
        var links = new LinkTable().Set("a", "b", link).Set("b", "a", link);
        var problem = Problem(Layers(4), links, devices: [Device("a", 100, 200), Device("b", 100, 200)]);

        var plan = solver.Solve(problem);

        var hop = plan.Prediction.Hops.Single(h => h.From != LinkTable.Gateway && h.To != LinkTable.Gateway);
        Assert.AreEqual(1000, hop.BytesPerToken);
        Assert.AreEqual(1.5, hop.TimeMs, 1e-9);
        Assert.AreEqual(40 + 1.5, plan.Prediction.TotalMs, 1e-9);
    }

    internal static void AssertContiguous(TopologyPlan plan, int layers)
    {
        int covered = 0;
        foreach (var shard in plan.Shards)
        {
            Assert.AreEqual(covered, shard.Start, Describe(plan));
            Assert.IsGreaterThan(shard.Start, shard.End, Describe(plan));
            covered = shard.End;
        }
        Assert.AreEqual(layers, covered, Describe(plan));
    }
}
