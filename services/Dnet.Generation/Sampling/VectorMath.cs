using System.Numerics;

namespace Dnet.Generation.Sampling;

/// <summary>Vectorised exp passes over a vocabulary of logits: the sampler's per-token hot loops.</summary>
internal static class VectorMath
{
    /// <summary>destination[i] = exp((x[i] - max) * scale); returns the sum.</summary>
    public static double ExpShifted(ReadOnlySpan<float> x, float max, float scale, Span<float> destination)
    {
        int i = 0;
        var sum = Vector<float>.Zero;
        if (Vector.IsHardwareAccelerated)
        {
            var shift = new Vector<float>(max);
            var factor = new Vector<float>(scale);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector<float> e = Vector.Exp((new Vector<float>(x[i..]) - shift) * factor);
                e.CopyTo(destination[i..]);
                sum += e;
            }
        }

        double total = Vector.Sum(sum);
        for (; i < x.Length; i++)
        {
            destination[i] = MathF.Exp((x[i] - max) * scale);
            total += destination[i];
        }

        return total;
    }

    /// <summary>Sum of exp(x[i] - max), without storing the terms.</summary>
    public static double SumExpShifted(ReadOnlySpan<float> x, float max)
    {
        int i = 0;
        var sum = Vector<float>.Zero;
        if (Vector.IsHardwareAccelerated)
        {
            var shift = new Vector<float>(max);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                sum += Vector.Exp(new Vector<float>(x[i..]) - shift);
            }
        }

        double total = Vector.Sum(sum);
        for (; i < x.Length; i++)
        {
            total += MathF.Exp(x[i] - max);
        }

        return total;
    }

    /// <summary>The largest value (NaN handling is the hardware's; logits are expected to be finite or -inf).</summary>
    public static float Max(ReadOnlySpan<float> x)
    {
        int i = 0;
        float max = float.NegativeInfinity;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var best = new Vector<float>(float.NegativeInfinity);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                best = Vector.Max(best, new Vector<float>(x[i..]));
            }

            for (int lane = 0; lane < Vector<float>.Count; lane++)
            {
                max = Math.Max(max, best[lane]);
            }
        }

        for (; i < x.Length; i++)
        {
            max = Math.Max(max, x[i]);
        }

        return max;
    }
}
