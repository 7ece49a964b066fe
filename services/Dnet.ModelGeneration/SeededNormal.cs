using Dnet.Generation.Sampling;

namespace Dnet.ModelGeneration;

/// <summary>
/// Deterministic N(mean, std) samples: xoshiro256** seeded through splitmix64, Box-Muller. Owned here (not
/// System.Random) so generated files stay byte-identical across .NET versions.
/// </summary>
sealed class SeededNormal(ulong seed)
{
    readonly DeterministicRandom _random = new(seed);
    double? _spare;

    /// <summary>A seed for one tensor: the model seed mixed with an FNV-1a hash of the tensor name.</summary>
    public static ulong SeedFor(ulong modelSeed, string tensorName)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char ch in tensorName)
        {
            hash = (hash ^ ch) * 1099511628211UL;
        }
        return modelSeed ^ hash;
    }

    public void Fill(Span<float> values, double mean, double std)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(mean + std * Next());
        }
    }

    double Next()
    {
        if (_spare is double spare)
        {
            _spare = null;
            return spare;
        }
        double u1 = ((_random.NextUInt64() >> 11) + 1) * (1.0 / 9007199254740993.0); // (0, 1]: log never sees 0
        double u2 = (_random.NextUInt64() >> 11) * (1.0 / 9007199254740992.0);
        double r = Math.Sqrt(-2 * Math.Log(u1));
        _spare = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }
}
