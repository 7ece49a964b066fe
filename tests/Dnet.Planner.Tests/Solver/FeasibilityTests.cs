using Dnet.Planner.Topology;
using static Dnet.Planner.Tests.Solver.Problems;

namespace Dnet.Planner.Tests.Solver;

[TestClass]
public sealed class FeasibilityTests
{
    private readonly TopologySolver solver = new();

    [TestMethod]
    public void TooLittleMemoryInTotalReportsTheMissingBytes()
    {
        // 4 layers of 100 bytes on 150 + 150 bytes: the best split (2 + 2) overflows each device by 50.
        var problem = Problem(Layers(4), devices: [Device("a", 100, 150), Device("b", 100, 150)]);

        var error = Assert.ThrowsExactly<ModelDoesNotFitException>(() => solver.Solve(problem));

        Assert.AreEqual(100, error.ShortfallBytes);
        Assert.AreEqual(400, error.RequiredBytes);
        Assert.AreEqual(300, error.AvailableBytes);
        StringAssert.Contains(error.Message, "short of memory by 100 bytes");
    }

    [TestMethod]
    public void LayerGranularityCanLeaveAShortfallEvenWhenTheTotalWouldFit()
    {
        // 300 bytes of layers on 150 + 150 bytes, but a layer is 100 bytes: one device must take 2 layers (50 over).
        var problem = Problem(Layers(3), devices: [Device("a", 100, 150), Device("b", 100, 150)]);

        var error = Assert.ThrowsExactly<ModelDoesNotFitException>(() => solver.Solve(problem));

        Assert.AreEqual(50, error.ShortfallBytes);
        Assert.AreEqual(300, error.AvailableBytes);
    }

    [TestMethod]
    public void KvCacheForTheContextCountsAgainstMemory()
    {
        // 2 layers of 100 bytes + 1 byte of KV per token: at 1 token they fit in 202 bytes, at 100 tokens they need 400.
        var fits = Problem(Layers(2, kvBytesPerToken: 1), context: 1, devices: [Device("a", 100, 202)]);
        var tooLong = fits with { ContextLength = 100 };

        Assert.AreEqual(202, solver.Solve(fits).Prediction.Shards.Single().MemoryRequiredBytes);
        var error = Assert.ThrowsExactly<ModelDoesNotFitException>(() => solver.Solve(tooLong));
        Assert.AreEqual(198, error.ShortfallBytes);
    }

    [TestMethod]
    public void TiedHeadIsHeldOnceWhenOneShardHoldsBothEnds()
    {
        // Embedding 50 bytes, head 60 of which 50 are the tied embedding: one shard needs 100 + 50 + 10.
        var model = Layers(1) with { EmbeddingBytes = 50, HeadBytes = 60, TiedHeadBytes = 50 };

        var plan = solver.Solve(Problem(model, devices: [Device("a", 100, 160)]));

        Assert.AreEqual(160, plan.Prediction.Shards.Single().MemoryRequiredBytes);
    }

    [TestMethod]
    public void ADeviceTooSlowToHelpGetsNoLayers()
    {
        var problem = Problem(Layers(4), devices: [Device("fast", 100), Device("crawl", 1)]);

        var plan = solver.Solve(problem);

        Assert.AreEqual("fast:0-4", Describe(plan));
        CollectionAssert.AreEqual(new[] { "crawl" }, plan.Excluded.ToArray());
        Assert.AreEqual(40, plan.Prediction.TotalMs, 1e-6);
    }

    [TestMethod]
    public void AnExpensiveLinkKeepsTheModelOnOneDevice()
    {
        // fast (10 ms/layer) holds 2 of 4 layers, slow (100 ms/layer) holds all 4.
        // Free link: fast 2 + slow 2 = 20 + 200 = 220 < slow alone 400. A 300 ms link makes the split 520.
        var fastSlow = Problem(Layers(4), devices: [Device("fast", 100, 200), Device("slow", 10, 400)]);
        var expensive = new LinkTable().Set("fast", "slow", new LinkCost(300, null)).Set("slow", "fast", new LinkCost(300, null));

        var split = solver.Solve(fastSlow);
        var alone = solver.Solve(fastSlow with { Links = expensive });

        Assert.AreEqual(220, split.Prediction.TotalMs, 1e-6);
        Assert.AreEqual("slow:0-4", Describe(alone));
        CollectionAssert.AreEqual(new[] { "fast" }, alone.Excluded.ToArray());
        Assert.AreEqual(400, alone.Prediction.TotalMs, 1e-6);
    }

    [TestMethod]
    public void UseAllDevicesGivesEveryDeviceALayerEvenWhenSlower()
    {
        var problem = Problem(Layers(4), useAll: true, devices: [Device("fast", 100), Device("crawl", 10)]);

        var plan = solver.Solve(problem);

        Assert.AreEqual(2, plan.Shards.Count);
        Assert.AreEqual(1, plan.Shards.Single(s => s.Node == "crawl").Count);
        Assert.AreEqual(30 + 100, plan.Prediction.TotalMs, 1e-6);
    }

    [TestMethod]
    public void UseAllDevicesWithMoreDevicesThanLayersIsRefused()
    {
        var problem = Problem(Layers(1), useAll: true, devices: [Device("a", 1), Device("b", 1)]);

        var error = Assert.ThrowsExactly<PlanningException>(() => solver.Solve(problem));

        StringAssert.Contains(error.Message, "2 devices and only 1 layers");
    }
}
