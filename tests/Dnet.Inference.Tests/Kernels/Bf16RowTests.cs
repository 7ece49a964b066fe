using Dnet.Inference.Kernels;

namespace Dnet.Inference.Tests.Kernels;

/// <summary>The sixteen-at-a-time bf16 conversions give the scalar conversions' bits, ties, NaN, infinities and tails included.</summary>
[TestClass]
public sealed unsafe class Bf16RowTests
{
    [TestMethod]
    public void NarrowingAndWideningARowMatchTheScalarFormsBitForBit()
    {
        var random = new Random(11);
        var values = new List<float>
        {
            0f, -0f, 1f, -1f, float.NaN, -float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.Epsilon,
            BitConverter.UInt32BitsToSingle(0x3F808000), // a tie whose even neighbour is below
            BitConverter.UInt32BitsToSingle(0x3F818000), // a tie whose even neighbour is above
            BitConverter.UInt32BitsToSingle(0x7F7FFFFF), // rounds up to infinity
            BitConverter.UInt32BitsToSingle(0x7FC00001), // a quiet NaN with payload
            BitConverter.UInt32BitsToSingle(0xFF800001), // a signalling NaN
        };
        while (values.Count < 16 * 40 + 7) // full vectors and a scalar tail
        {
            values.Add(BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32)));
        }
        float[] source = [.. values];
        var narrowed = new ushort[source.Length];
        var widened = new float[source.Length];
        fixed (float* s = source, w = widened)
        fixed (ushort* n = narrowed)
        {
            Bf16.Narrow(s, n, source.Length);
            Bf16.Widen(n, w, source.Length);
        }
        for (int i = 0; i < source.Length; i++)
        {
            Assert.AreEqual(Bf16.FromFloat(source[i]), narrowed[i], $"narrowing element {i} ({BitConverter.SingleToUInt32Bits(source[i]):X8})");
            Assert.AreEqual(BitConverter.SingleToUInt32Bits(Bf16.ToFloat(narrowed[i])), BitConverter.SingleToUInt32Bits(widened[i]), $"widening element {i}");
        }
    }
}
