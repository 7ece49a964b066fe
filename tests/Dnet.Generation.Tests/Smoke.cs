namespace Dnet.Generation.Tests;

[TestClass]
public sealed class Smoke
{
    [TestMethod]
    public void Runs() => Assert.AreEqual(2, 1 + 1);
}
