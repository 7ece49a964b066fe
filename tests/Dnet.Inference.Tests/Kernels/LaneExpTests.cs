using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Dnet.Inference.Kernels;

namespace Dnet.Inference.Tests.Kernels;

/// <summary>
/// The lane exp that attention's softmax uses: close to exp over the range softmax feeds it (x - max &lt;= 0, and
/// positive values too), and bitwise the same in the AVX-512, AVX2 and scalar forms (so a ring of mixed machines
/// still computes the same tokens).
/// </summary>
[TestClass]
public sealed unsafe class LaneExpTests
{
    static float[] Inputs()
    {
        var random = new Random(7);
        return [.. Enumerable.Range(0, 4096).Select(i => i switch
        {
            0 => 0f,
            1 => -87.3f,
            2 => 88.3f,
            3 => -1000f, // clamped: a score far below the maximum weighs (almost) nothing
            _ when i % 2 == 0 => (float)(-90 * random.NextDouble()),
            _ => (float)(88 * random.NextDouble() - 20),
        })];
    }

    static float[] Apply<L>(float[] inputs) where L : struct, ILanes<L>
    {
        var output = new float[inputs.Length];
        fixed (float* x = inputs, y = output)
        {
            for (int i = 0; i < inputs.Length; i += 16)
            {
                LaneExp.Of(L.Load(x + i)).Store(y + i);
            }
        }
        return output;
    }

    [TestMethod]
    public void StaysWithinTwoUlpOfExp()
    {
        var inputs = Inputs();
        var output = Apply<LanesScalar>(inputs);
        for (int i = 0; i < inputs.Length; i++)
        {
            double expected = Math.Exp(Math.Clamp(inputs[i], LaneExp.Low, LaneExp.High));
            // Two units in the last place of a float, relative: 2 · 2^-23.
            Assert.IsLessThanOrEqualTo(2.4e-7, Math.Abs(output[i] - expected) / expected, $"exp({inputs[i]}) = {output[i]}, expected {expected}");
        }
        Assert.IsLessThan(1e-37f, Apply<LanesScalar>([.. Enumerable.Repeat(-1000f, 16)])[0], "far below the maximum is (almost) zero");
    }

    [TestMethod]
    public void EverySimdWidthGivesTheSameBits()
    {
        var inputs = Inputs();
        var scalar = Apply<LanesScalar>(inputs);
        if (Vector256.IsHardwareAccelerated && Fma.IsSupported)
        {
            CollectionAssert.AreEqual(scalar, Apply<Lanes256>(inputs), "AVX2");
        }
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            CollectionAssert.AreEqual(scalar, Apply<Lanes512>(inputs), "AVX-512");
        }
        else
        {
            Assert.Inconclusive("this CPU has no AVX-512: only the AVX2 form was compared");
        }
    }
}
