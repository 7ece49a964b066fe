namespace Dnet.Perf.Tests;

[TestClass]
public sealed class FrameGroupsTests
{
    [TestMethod]
    [DataRow("compute.forward", FrameGroups.Compute)]
    [DataRow("network.tx.send", FrameGroups.Network)]
    [DataRow("memory.model.load", FrameGroups.Memory)]
    [DataRow("network.rx.wait", FrameGroups.Wait)]
    [DataRow("compute.queue.wait", FrameGroups.Wait)]
    [DataRow("chat tiny", FrameGroups.Other)]
    [DataRow("computeish.thing", FrameGroups.Other)]
    public void BuiltInGroupsClassifyByPrefixWithWaitFirst(string name, string group) =>
        Assert.AreEqual(group, new FrameGroups().Classify(name));

    [TestMethod]
    public void TheLongestMatchingPrefixWinsRegardlessOfOrder()
    {
        var groups = new FrameGroups();
        groups.AddGroup("execute", "compute.thread.execute");
        groups.AddGroup("threads", "compute.thread");

        Assert.AreEqual("execute", groups.Classify("compute.thread.execute"));
        Assert.AreEqual("execute", groups.Classify("compute.thread.execute.kernel"));
        Assert.AreEqual("threads", groups.Classify("compute.thread.sampling"));
        Assert.AreEqual(FrameGroups.Compute, groups.Classify("compute.forward"));
        Assert.AreEqual(FrameGroups.Wait, groups.Classify("compute.thread.execute.wait"));
    }

    [TestMethod]
    public void CustomGroupsAreListedBeforeWaitAndOther()
    {
        var groups = new FrameGroups();
        groups.AddGroup("kv", "compute.thread.kvcache.");

        CollectionAssert.AreEqual(
            new[] { "compute", "network", "memory", "kv", "wait", "other" },
            groups.Names.ToArray());
        Assert.AreEqual("kv", groups.Classify("compute.thread.kvcache.init"));
    }

    [TestMethod]
    public void RuleGroupsAndEmptyPrefixesAreRefused()
    {
        var groups = new FrameGroups();

        Assert.ThrowsExactly<ArgumentException>(() => groups.AddGroup(FrameGroups.Wait, "network"));
        Assert.ThrowsExactly<ArgumentException>(() => groups.AddGroup("empty"));
        Assert.ThrowsExactly<ArgumentException>(() => groups.AddGroup("blank", " "));
    }
}
