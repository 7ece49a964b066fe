namespace Dnet.Inference.Tests;

static class Numerics
{
    public static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.AreEqual(a.Length, b.Length, "lengths differ");
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        }
        return max;
    }

    public static double Std(ReadOnlySpan<float> values)
    {
        double mean = 0, square = 0;
        foreach (float v in values)
        {
            mean += v;
            square += (double)v * v;
        }
        mean /= values.Length;
        return Math.Sqrt(square / values.Length - mean * mean);
    }
}
