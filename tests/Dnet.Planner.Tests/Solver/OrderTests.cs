using Dnet.Planner.Topology;
using static Dnet.Planner.Tests.Solver.Problems;

namespace Dnet.Planner.Tests.Solver;

[TestClass]
public sealed class OrderTests
{
    private readonly TopologySolver solver = new();

    [TestMethod]
    public void TheOrderWithCheaperGatewayLinksWins()
    {
        // Both devices must be used; the gateway is 5 ms from a and b is 5 ms from the gateway, the other ways are free.
        // a -> b costs 10 ms of links, b -> a costs none.
        var links = new LinkTable()
            .Set(LinkTable.Gateway, "a", new LinkCost(5, null))
            .Set("b", LinkTable.Gateway, new LinkCost(5, null));
        var problem = Problem(Layers(2), links, useAll: true, devices: [Device("a", 100), Device("b", 100)]);

        var plan = solver.Solve(problem);

        CollectionAssert.AreEqual(new[] { "b", "a" }, plan.Shards.Select(s => s.Node).ToArray());
        Assert.AreEqual(0, plan.Prediction.LinkMs, 1e-9);
        Assert.AreEqual(20, plan.Prediction.TotalMs, 1e-6);
    }

    [TestMethod]
    public void EverySolutionMatchesABruteForceOverOrdersAndSplits()
    {
        var random = new Random(7);
        for (int instance = 0; instance < 25; instance++)
        {
            int layers = random.Next(2, 6), devices = random.Next(1, 4);
            var model = new ModelCosts(
                [.. Enumerable.Range(0, layers).Select(_ => new LayerCost(random.Next(50, 150), random.Next(1, 10) * 1e8, random.Next(0, 3)))],
                EmbeddingBytes: random.Next(0, 100), HeadBytes: random.Next(0, 100), HeadFlopsPerToken: 1e8, TiedHeadBytes: 0, ActivationBytesPerToken: 500);
            var capacities = Enumerable.Range(0, devices)
                .Select(d => new DeviceCapacity($"d{d}", random.Next(200, 700), random.Next(5, 100), random.Next(1, 50) * 1e-6, 1))
                .ToArray();
            var links = new LinkTable();
            foreach (string from in capacities.Select(c => c.Node).Append(LinkTable.Gateway))
            {
                foreach (string to in capacities.Select(c => c.Node).Append(LinkTable.Gateway).Where(to => to != from))
                {
                    links.Set(from, to, new LinkCost(random.NextDouble() * 5, 0.1 + random.NextDouble()));
                }
            }
            var problem = new PlanningProblem(model, capacities, links, ContextLength: 10);

            double? best = BruteForce(problem);
            if (best is null)
            {
                Assert.ThrowsExactly<ModelDoesNotFitException>(() => solver.Solve(problem), $"instance {instance}");
            }
            else
            {
                Assert.AreEqual(best.Value, solver.Solve(problem).Prediction.TotalMs, 1e-9, $"instance {instance}");
            }
        }
    }

    [TestMethod]
    public void EightDevicesAndEightyLayersAreSearchedExactly()
    {
        // A 70B-sized layer count on the largest searched cluster: each device holds at most 11 layers, so all 8 are used;
        // device d runs a layer in 10 + d ms, so the fastest seven fill up (77 layers) and the slowest takes the other 3.
        var devices = Enumerable.Range(0, TopologySolver.MaxDevicesForOrderSearch).Select(d => Device($"d{d}", 100.0 / (1 + d / 10.0), 1100)).ToArray();

        var plan = solver.Solve(Problem(Layers(80), devices: devices));

        Assert.AreEqual(8, plan.Shards.Count);
        Assert.AreEqual(3, plan.Shards.Single(s => s.Node == "d7").Count);
        Assert.AreEqual(11 * Enumerable.Range(0, 7).Sum(d => 10 + d) + 3 * 17, plan.Prediction.TotalMs, 1e-6);
        SplitTests.AssertContiguous(plan, 80);
    }

    [TestMethod]
    public void EightRoomyDevicesAndEightyLayersAreSearchedExhaustively()
    {
        // No memory limit cuts the search short here: every (order, split) is considered. (How long that takes is a
        // benchmark's business, not a unit test's.)
        var devices = Enumerable.Range(0, TopologySolver.MaxDevicesForOrderSearch).Select(d => Device($"d{d}", 100.0 / (1 + d / 10.0))).ToArray();

        var plan = solver.Solve(Problem(Layers(80), devices: devices));

        Assert.AreEqual("d0:0-80", Describe(plan));
    }

    [TestMethod]
    public void MoreDevicesThanTheOrderSearchLimitKeepTheListOrder()
    {
        int devices = TopologySolver.MaxDevicesForOrderSearch + 1;
        var problem = Problem(Layers(devices), useAll: true,
            devices: [.. Enumerable.Range(0, devices).Select(d => Device($"d{d}", 100, 100))]);

        var plan = solver.Solve(problem);

        Assert.IsFalse(plan.OrdersSearched);
        CollectionAssert.AreEqual(Enumerable.Range(0, devices).Select(d => $"d{d}").ToArray(), plan.Shards.Select(s => s.Node).ToArray());
        Assert.AreEqual(devices * 10, plan.Prediction.TotalMs, 1e-6);
    }

    [TestMethod]
    public void WithoutUseAllTheFixedOrderSearchSkipsSlowDevices()
    {
        int devices = TopologySolver.MaxDevicesForOrderSearch + 2;
        var capacities = Enumerable.Range(0, devices).Select(d => Device($"d{d}", d == 5 ? 100 : 1, 400)).ToArray();

        var plan = solver.Solve(Problem(Layers(4), devices: capacities));

        Assert.AreEqual("d5:0-4", Describe(plan));
        Assert.AreEqual(devices - 1, plan.Excluded.Count);
    }

    /// <summary>Tries every ordered subset of devices and every split, through the manual-assignment path.</summary>
    private double? BruteForce(PlanningProblem problem)
    {
        double? best = null;
        int layers = problem.Model.LayerCount;
        foreach (var order in OrderedSubsets(problem.Devices.Select(d => d.Node).ToList()))
        {
            foreach (var cuts in Splits(layers, order.Count))
            {
                var manual = order.Select((node, i) => (node, range: (cuts[i], cuts[i + 1]))).ToDictionary(x => x.node, x => x.range);
                try
                {
                    double total = solver.Evaluate(problem, manual).Prediction.TotalMs;
                    best = best is null ? total : Math.Min(best.Value, total);
                }
                catch (InvalidAssignmentException)
                {
                    // Does not fit this way.
                }
            }
        }
        return best;
    }

    private static IEnumerable<List<string>> OrderedSubsets(List<string> nodes)
    {
        foreach (string node in nodes)
        {
            yield return [node];
            foreach (var rest in OrderedSubsets([.. nodes.Where(n => n != node)]))
            {
                yield return [node, .. rest];
            }
        }
    }

    /// <summary>Boundaries 0 = c0 &lt; c1 &lt; ... &lt; ck = layers.</summary>
    private static IEnumerable<int[]> Splits(int layers, int parts)
    {
        if (parts == 1)
        {
            yield return [0, layers];
            yield break;
        }
        for (int first = 1; first <= layers - parts + 1; first++)
        {
            foreach (var rest in Splits(layers - first, parts - 1))
            {
                yield return [0, .. rest.Select(c => c + first)];
            }
        }
    }
}
