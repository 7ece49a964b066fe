using Dnet.Planner.Topology;
using static Dnet.Planner.Tests.Solver.Problems;

namespace Dnet.Planner.Tests.Solver;

[TestClass]
public sealed class ManualAssignmentTests
{
    private readonly TopologySolver solver = new();
    private readonly PlanningProblem problem = Problem(Layers(4), devices: [Device("a", 100, 250), Device("b", 50, 1000)]);

    [TestMethod]
    public void AValidAssignmentIsPredictedInLayerOrder()
    {
        var plan = solver.Evaluate(problem, new Dictionary<string, (int, int)> { ["b"] = (2, 4), ["a"] = (0, 2) });

        Assert.AreEqual("a:0-2 b:2-4", Describe(plan));
        Assert.AreEqual(20 + 40, plan.Prediction.TotalMs, 1e-6);
        Assert.AreEqual(3, plan.Prediction.Hops.Count);
        Assert.IsFalse(plan.OrdersSearched);
    }

    [TestMethod]
    public void AGapIsNamed()
    {
        var error = Assert.ThrowsExactly<InvalidAssignmentException>(() =>
            solver.Evaluate(problem, new Dictionary<string, (int, int)> { ["a"] = (0, 1), ["b"] = (2, 4) }));

        CollectionAssert.AreEqual(new[] { "layers [1, 2) are not assigned to any shard" }, error.Problems.ToArray());
    }

    [TestMethod]
    public void AnOverlapAndMissingTailAreNamed()
    {
        var error = Assert.ThrowsExactly<InvalidAssignmentException>(() =>
            solver.Evaluate(problem, new Dictionary<string, (int, int)> { ["a"] = (0, 2), ["b"] = (1, 3) }));

        CollectionAssert.AreEqual(
            new[] { "b [1, 3) overlaps layers assigned before it (up to 2)", "layers [3, 4) are not assigned to any shard" },
            error.Problems.ToArray());
    }

    [TestMethod]
    public void UnknownNodesAndBadRangesAreNamed()
    {
        var error = Assert.ThrowsExactly<InvalidAssignmentException>(() =>
            solver.Evaluate(problem, new Dictionary<string, (int, int)> { ["a"] = (0, 4), ["z"] = (0, 1), ["b"] = (3, 9) }));

        Assert.IsTrue(error.Problems.Any(p => p.StartsWith("unknown node 'z' (known: a, b)", StringComparison.Ordinal)), error.Message);
        Assert.IsTrue(error.Problems.Any(p => p == "b: [3, 9) is not a non-empty layer range within [0, 4)"), error.Message);
    }

    [TestMethod]
    public void AShardThatDoesNotFitIsNamedWithItsShortfall()
    {
        var error = Assert.ThrowsExactly<InvalidAssignmentException>(() =>
            solver.Evaluate(problem, new Dictionary<string, (int, int)> { ["a"] = (0, 3), ["b"] = (3, 4) }));

        CollectionAssert.AreEqual(
            new[] { "a needs 300 bytes for layers [0, 3) but has 250 usable (short by 50 bytes)" },
            error.Problems.ToArray());
        StringAssert.StartsWith(error.Message, "invalid manual assignment: ");
    }

    [TestMethod]
    public void AnEmptyAssignmentIsRefused()
    {
        var error = Assert.ThrowsExactly<InvalidAssignmentException>(() => solver.Evaluate(problem, new Dictionary<string, (int, int)>()));

        CollectionAssert.Contains(error.Problems.ToArray(), "no shard is assigned any layers");
    }
}
