namespace Dnet.Inference.Generator;

/// <summary>
/// Deterministic N(mean, std) samples: xoshiro256** seeded through splitmix64, Box-Muller. Owned here (not
/// System.Random) so generated files stay byte-identical across .NET versions.
/// </summary>
sealed class SeededNormal
{
    ulong _s0, _s1, _s2, _s3;
    double? _spare;

    public SeededNormal(ulong seed)
    {
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
    }

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
        double u1 = ((NextBits() >> 11) + 1) * (1.0 / 9007199254740993.0); // (0, 1]: log never sees 0
        double u2 = (NextBits() >> 11) * (1.0 / 9007199254740992.0);
        double r = Math.Sqrt(-2 * Math.Log(u1));
        _spare = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }

    ulong NextBits()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
