using Dnet.Inference.Model;
using Dnet.Models;
using TorchSharp;

namespace Dnet.Inference.Tests;

[TestClass]
public sealed class ActivationFrameTests
{
    [TestMethod]
    public void Float32RoundTripIsExact()
    {
        using var hidden = torch.randn(5, 64);
        var frame = ActivationFrame.FromTensor(hidden, ComputeDtype.Float32);
        Assert.AreEqual(5 * 64 * 4, frame.Data.Length);
        Assert.AreEqual(hidden[2, 7].item<float>(), frame.AsFloats()[2 * 64 + 7]);

        using var back = frame.ToTensor();
        Assert.IsTrue(back.eq(hidden).all().item<bool>());
    }

    [TestMethod]
    public void BFloat16FrameHoldsTheRoundedValues()
    {
        using var hidden = torch.randn(3, 16);
        var frame = ActivationFrame.FromTensor(hidden, ComputeDtype.BFloat16);
        Assert.AreEqual(3 * 16 * 2, frame.Data.Length);

        using var back = frame.ToTensor();
        using var rounded = hidden.to(torch.ScalarType.BFloat16);
        Assert.AreEqual(torch.ScalarType.BFloat16, back.dtype);
        Assert.IsTrue(back.eq(rounded).all().item<bool>());
        // Independent decoding of the first element: bf16 is the top half of a float32.
        float first = BitConverter.UInt32BitsToSingle((uint)BitConverter.ToUInt16(frame.Data.Span) << 16);
        Assert.AreEqual(rounded[0, 0].to(torch.ScalarType.Float32).item<float>(), first);
    }

    [TestMethod]
    public void WrongByteCountIsRejected()
    {
        var frame = new ActivationFrame(new byte[10], 2, 4, ComputeDtype.Float32);
        Assert.ThrowsExactly<ArgumentException>(() => frame.ToTensor());
    }
}
