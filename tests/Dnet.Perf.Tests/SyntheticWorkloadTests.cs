namespace Dnet.Perf.Tests;

[TestClass]
public sealed class SyntheticWorkloadTests
{
    [TestMethod]
    public void BenchmarkHookAnnotatesEverySpan()
    {
        var (elapsed, table) = SyntheticWorkload.TimeAnnotate(5_000);

        Assert.IsTrue(elapsed >= TimeSpan.Zero);
        Assert.IsTrue(table.Header.SpanCount >= 4_000, $"{table.Header.SpanCount} spans");
        Assert.AreEqual(2L, table.Named("memory.model.load").Samples);
    }
}
