using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Dnet.Inference.Kernels;

namespace Dnet.Inference.Tests.Kernels;

/// <summary>
/// The four-at-once lane sum that ends every matrix tile: bit for bit the four single sums, on every SIMD width, so
/// a tile's outputs stay those of the decode kernel's dot products (the cached-equals-recompute guarantee).
/// </summary>
[TestClass]
public sealed unsafe class LaneSumTests
{
    // Magnitudes 1e-30..1e30 of both signs (so every addition rounds and cancels), with zeros and infinities. NaN
    // payloads are left out: the JIT may swap the operands of a scalar addition, which picks the other payload.
    static float[] Lanes(int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, 64).Select(i => (random.Next(40), i) switch
        {
            (0, _) => -0f,
            (1, _) => float.PositiveInfinity,
            (2, _) => float.NegativeInfinity,
            _ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 31))),
        })];
    }

    static (float[] Each, float[] AtOnce) Sums<L>(float[] lanes) where L : struct, ILanes<L>
    {
        var each = new float[4];
        // Four outputs and four guards after them: a wider store than four floats would overwrite the next columns.
        var atOnce = new float[8];
        Array.Fill(atOnce, 12345f, 4, 4);
        fixed (float* p = lanes, o = atOnce)
        {
            L a = L.Load(p), b = L.Load(p + 16), c = L.Load(p + 32), d = L.Load(p + 48);
            each[0] = a.Sum();
            each[1] = b.Sum();
            each[2] = c.Sum();
            each[3] = d.Sum();
            L.Sum4(a, b, c, d, o);
        }
        CollectionAssert.AreEqual(new[] { 12345f, 12345f, 12345f, 12345f }, atOnce[4..], $"{typeof(L).Name} wrote past its four outputs");
        return (each, atOnce[..4]);
    }

    [TestMethod]
    public void FourAtOnceEqualFourSingleSumsOnEveryWidth()
    {
        for (int seed = 0; seed < 2000; seed++)
        {
            var lanes = Lanes(seed);
            var (scalar, scalar4) = Sums<LanesScalar>(lanes);
            CollectionAssert.AreEqual(Bits(scalar), Bits(scalar4), $"scalar, seed {seed}");
            if (Vector256.IsHardwareAccelerated)
            {
                var (each, atOnce) = Sums<Lanes256>(lanes);
                CollectionAssert.AreEqual(Bits(scalar), Bits(each), $"256 vs scalar, seed {seed}");
                CollectionAssert.AreEqual(Bits(scalar), Bits(atOnce), $"256 four at once, seed {seed}");
            }
            if (Avx512F.IsSupported)
            {
                var (each, atOnce) = Sums<Lanes512>(lanes);
                CollectionAssert.AreEqual(Bits(scalar), Bits(each), $"512 vs scalar, seed {seed}");
                CollectionAssert.AreEqual(Bits(scalar), Bits(atOnce), $"512 four at once, seed {seed}");
            }
        }
    }

    [TestMethod]
    public void EachOutputIsItsOwnRegistersSum()
    {
        // Four registers of distinct constants: a mix-up of blocks between registers would show as a wrong total.
        var lanes = Enumerable.Range(0, 64).Select(i => (float)((i / 16 + 1) * 1000 + i % 16)).ToArray();
        float[] expected = [.. Enumerable.Range(0, 4).Select(r => (float)Enumerable.Range(0, 16).Sum(j => (r + 1) * 1000 + j))];
        CollectionAssert.AreEqual(expected, Sums<LanesScalar>(lanes).AtOnce);
        if (Avx512F.IsSupported)
        {
            CollectionAssert.AreEqual(expected, Sums<Lanes512>(lanes).AtOnce);
        }
    }

    static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
