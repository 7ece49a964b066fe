using TorchSharp;

namespace Dnet.Inference.Tests;

[TestClass]
public sealed class TorchLoadsTests
{
    [TestMethod]
    public void NativeLibraryLoadsAndComputes()
    {
        using var a = torch.ones(2, 3);
        Assert.AreEqual(6f, a.sum().item<float>());
    }
}
