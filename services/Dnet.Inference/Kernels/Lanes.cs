using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dnet.Inference.Kernels;

/// <summary>
/// Sixteen float lanes: the one accumulation layout every kernel uses. Lane j of a dot product accumulates the
/// products of elements j, j+16, j+32, ... with fused multiply-adds in that order, and <see cref="ILanes{T}.Sum"/>
/// adds the lanes in one fixed tree. The AVX-512, AVX2 and scalar forms below do exactly the same operations on
/// the same lanes, so they give bitwise identical results, whatever the machine picks.
/// </summary>
unsafe interface ILanes<TSelf> where TSelf : struct, ILanes<TSelf>
{
    static abstract TSelf Zero { get; }

    static abstract TSelf Load(float* p);

    /// <summary>Sixteen bf16 values widened exactly to float (the 16 bits become the high half).</summary>
    static abstract TSelf LoadBf16(ushort* p);

    static abstract TSelf Broadcast(float value);

    /// <summary>a·b + c, rounded once.</summary>
    static abstract TSelf Fma(TSelf a, TSelf b, TSelf c);

    static abstract TSelf Add(TSelf a, TSelf b);

    static abstract TSelf Subtract(TSelf a, TSelf b);

    static abstract TSelf Multiply(TSelf a, TSelf b);

    static abstract TSelf Min(TSelf a, TSelf b);

    static abstract TSelf Max(TSelf a, TSelf b);

    /// <summary>Each lane rounded to the nearest integer, ties to even.</summary>
    static abstract TSelf RoundToEven(TSelf a);

    /// <summary>2^n per lane, for integral n in [-126, 127], built from the exponent bits.</summary>
    static abstract TSelf Pow2(TSelf n);

    void Store(float* p);

    /// <summary>((l0+l8) + (l4+l12)) + ... : lanes i and i+8, then i and i+4, then i and i+2, then 0 and 1.</summary>
    float Sum();

    /// <summary>
    /// output[0..3] = a.Sum(), b.Sum(), c.Sum(), d.Sum(), bit for bit: the same additions of the same lanes, which a
    /// wide form may do for the four at once (a 4x4 matrix tile ends with sixteen sums, about a tenth of its
    /// instructions at k = 576).
    /// </summary>
    static virtual void Sum4(TSelf a, TSelf b, TSelf c, TSelf d, float* output)
    {
        output[0] = a.Sum();
        output[1] = b.Sum();
        output[2] = c.Sum();
        output[3] = d.Sum();
    }
}

/// <summary>The sixteen lanes as one AVX-512 register.</summary>
unsafe struct Lanes512 : ILanes<Lanes512>
{
    Vector512<float> _v;

    public static Lanes512 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Load(float* p) => new() { _v = Vector512.Load(p) };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 LoadBf16(ushort* p) =>
        new() { _v = Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512UInt32(Vector256.Load(p)), 16).AsSingle() };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Broadcast(float value) => new() { _v = Vector512.Create(value) };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Store(float* p) => _v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Fma(Lanes512 a, Lanes512 b, Lanes512 c) => new() { _v = Vector512.FusedMultiplyAdd(a._v, b._v, c._v) };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Add(Lanes512 a, Lanes512 b) => new() { _v = a._v + b._v };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Subtract(Lanes512 a, Lanes512 b) => new() { _v = a._v - b._v };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Multiply(Lanes512 a, Lanes512 b) => new() { _v = a._v * b._v };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Min(Lanes512 a, Lanes512 b) => new() { _v = Vector512.Min(a._v, b._v) };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Max(Lanes512 a, Lanes512 b) => new() { _v = Vector512.Max(a._v, b._v) };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 RoundToEven(Lanes512 a) => new() { _v = Vector512.Round(a._v) };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Pow2(Lanes512 n) =>
        new() { _v = Vector512.ShiftLeft(Vector512.ConvertToInt32(n._v) + Vector512.Create(127), 23).AsSingle() };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly float Sum()
    {
        var eight = _v.GetLower() + _v.GetUpper();
        var four = eight.GetLower() + eight.GetUpper();
        var two = four + Vector128.Shuffle(four, Vector128.Create(2, 3, 0, 1));
        return two.GetElement(0) + two.GetElement(1);
    }

    /// <summary>
    /// <see cref="Sum"/>'s tree for four registers at once: each step pairs the same lanes as Sum does (a single IEEE
    /// addition does not depend on the order of its operands), with two or four registers' lanes side by side.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sum4(Lanes512 a, Lanes512 b, Lanes512 c, Lanes512 d, float* output)
    {
        // Lanes i + i+8 of a and b side by side: [a0-3 | a4-7 | b0-3 | b4-7] + [a8-11 | a12-15 | b8-11 | b12-15].
        var ab = Avx512F.Shuffle4x128(a._v, b._v, 0x44) + Avx512F.Shuffle4x128(a._v, b._v, 0xEE);
        var cd = Avx512F.Shuffle4x128(c._v, d._v, 0x44) + Avx512F.Shuffle4x128(c._v, d._v, 0xEE);
        // Lanes i + i+4 of each: [a | b | c | d], four lanes each.
        var four = Avx512F.Shuffle4x128(ab, cd, 0x88) + Avx512F.Shuffle4x128(ab, cd, 0xDD);
        // Lanes i + i+2, then 0 + 1, inside each 128-bit block.
        var two = four + Avx512F.Permute4x32(four, 0x4E);
        var one = two + Avx512F.Permute4x32(two, 0xB1);
        Avx512F.PermuteVar16x32(one, Vector512.Create(0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)).GetLower().GetLower().Store(output);
    }
}

/// <summary>The sixteen lanes as two AVX2 registers (lanes 0-7, 8-15).</summary>
unsafe struct Lanes256 : ILanes<Lanes256>
{
    Vector256<float> _lo;
    Vector256<float> _hi;

    public static Lanes256 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Load(float* p) => new() { _lo = Vector256.Load(p), _hi = Vector256.Load(p + 8) };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 LoadBf16(ushort* p)
    {
        var bits = Vector256.Load(p);
        return new()
        {
            _lo = Vector256.ShiftLeft(Vector256.WidenLower(bits), 16).AsSingle(),
            _hi = Vector256.ShiftLeft(Vector256.WidenUpper(bits), 16).AsSingle(),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Broadcast(float value) => new() { _lo = Vector256.Create(value), _hi = Vector256.Create(value) };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Store(float* p)
    {
        _lo.Store(p);
        _hi.Store(p + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Fma(Lanes256 a, Lanes256 b, Lanes256 c) => new()
    {
        _lo = Vector256.FusedMultiplyAdd(a._lo, b._lo, c._lo),
        _hi = Vector256.FusedMultiplyAdd(a._hi, b._hi, c._hi),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Add(Lanes256 a, Lanes256 b) => new() { _lo = a._lo + b._lo, _hi = a._hi + b._hi };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Subtract(Lanes256 a, Lanes256 b) => new() { _lo = a._lo - b._lo, _hi = a._hi - b._hi };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Multiply(Lanes256 a, Lanes256 b) => new() { _lo = a._lo * b._lo, _hi = a._hi * b._hi };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Min(Lanes256 a, Lanes256 b) => new() { _lo = Vector256.Min(a._lo, b._lo), _hi = Vector256.Min(a._hi, b._hi) };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Max(Lanes256 a, Lanes256 b) => new() { _lo = Vector256.Max(a._lo, b._lo), _hi = Vector256.Max(a._hi, b._hi) };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 RoundToEven(Lanes256 a) => new() { _lo = Vector256.Round(a._lo), _hi = Vector256.Round(a._hi) };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Pow2(Lanes256 n) => new() { _lo = Pow2(n._lo), _hi = Pow2(n._hi) };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Pow2(Vector256<float> n) => Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly float Sum()
    {
        var eight = _lo + _hi;
        var four = eight.GetLower() + eight.GetUpper();
        var two = four + Vector128.Shuffle(four, Vector128.Create(2, 3, 0, 1));
        return two.GetElement(0) + two.GetElement(1);
    }
}

/// <summary>The sixteen lanes as plain floats: the portable fallback, and the definition the others must match.</summary>
unsafe struct LanesScalar : ILanes<LanesScalar>
{
    Sixteen _v;

    public static LanesScalar Zero => default;

    public static LanesScalar Load(float* p)
    {
        var r = default(LanesScalar);
        for (int i = 0; i < 16; i++)
        {
            r._v[i] = p[i];
        }
        return r;
    }

    public static LanesScalar LoadBf16(ushort* p)
    {
        var r = default(LanesScalar);
        for (int i = 0; i < 16; i++)
        {
            r._v[i] = Bf16.ToFloat(p[i]);
        }
        return r;
    }

    public static LanesScalar Broadcast(float value)
    {
        var r = default(LanesScalar);
        for (int i = 0; i < 16; i++)
        {
            r._v[i] = value;
        }
        return r;
    }

    public readonly void Store(float* p)
    {
        for (int i = 0; i < 16; i++)
        {
            p[i] = _v[i];
        }
    }

    public static LanesScalar Fma(LanesScalar a, LanesScalar b, LanesScalar c)
    {
        var r = default(LanesScalar);
        for (int i = 0; i < 16; i++)
        {
            r._v[i] = MathF.FusedMultiplyAdd(a._v[i], b._v[i], c._v[i]);
        }
        return r;
    }

    public static LanesScalar Add(LanesScalar a, LanesScalar b) => Each(a, b, static (x, y) => x + y);

    public static LanesScalar Subtract(LanesScalar a, LanesScalar b) => Each(a, b, static (x, y) => x - y);

    public static LanesScalar Multiply(LanesScalar a, LanesScalar b) => Each(a, b, static (x, y) => x * y);

    public static LanesScalar Min(LanesScalar a, LanesScalar b) => Each(a, b, MathF.Min);

    public static LanesScalar Max(LanesScalar a, LanesScalar b) => Each(a, b, MathF.Max);

    public static LanesScalar RoundToEven(LanesScalar a) => Each(a, a, static (x, _) => MathF.Round(x, MidpointRounding.ToEven));

    public static LanesScalar Pow2(LanesScalar n) => Each(n, n, static (x, _) => BitConverter.Int32BitsToSingle(((int)x + 127) << 23));

    static LanesScalar Each(LanesScalar a, LanesScalar b, Func<float, float, float> f)
    {
        var r = default(LanesScalar);
        for (int i = 0; i < 16; i++)
        {
            r._v[i] = f(a._v[i], b._v[i]);
        }
        return r;
    }

    public readonly float Sum()
    {
        Span<float> s = stackalloc float[8];
        for (int i = 0; i < 8; i++)
        {
            s[i] = _v[i] + _v[i + 8];
        }
        for (int i = 0; i < 4; i++)
        {
            s[i] += s[i + 4];
        }
        for (int i = 0; i < 2; i++)
        {
            s[i] += s[i + 2];
        }
        return s[0] + s[1];
    }

    [InlineArray(16)]
    struct Sixteen
    {
        float _first;
    }
}

/// <summary>
/// e^x per lane from the lane primitives, so every <see cref="ILanes{TSelf}"/> form runs the same operations: clamp,
/// n = round-to-even(x·log2 e), r = x - n·ln2 in two fused steps, Cephes' degree-5 polynomial, times 2^n. Within 2 ulp
/// of exp on [-87.3, 88.4], and bitwise the same on every SIMD width.
/// </summary>
static class LaneExp
{
    public const float Low = -87.33654f;
    public const float High = 88.37626f;
    const float Log2E = 1.44269504088896341f;
    const float MinusLn2High = -0.693359375f;
    const float MinusLn2Low = 2.12194440e-4f;
    const float P0 = 1.9875691500e-4f;
    const float P1 = 1.3981999507e-3f;
    const float P2 = 8.3334519073e-3f;
    const float P3 = 4.1665795894e-2f;
    const float P4 = 1.6666665459e-1f;
    const float P5 = 5.0000001201e-1f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static L Of<L>(L x) where L : struct, ILanes<L>
    {
        var v = L.Min(L.Max(x, L.Broadcast(Low)), L.Broadcast(High));
        var n = L.RoundToEven(L.Multiply(v, L.Broadcast(Log2E)));
        var r = L.Fma(n, L.Broadcast(MinusLn2High), v);
        r = L.Fma(n, L.Broadcast(MinusLn2Low), r);
        var p = L.Fma(L.Broadcast(P0), r, L.Broadcast(P1));
        p = L.Fma(p, r, L.Broadcast(P2));
        p = L.Fma(p, r, L.Broadcast(P3));
        p = L.Fma(p, r, L.Broadcast(P4));
        p = L.Fma(p, r, L.Broadcast(P5));
        p = L.Fma(p, L.Multiply(r, r), L.Add(r, L.Broadcast(1f)));
        return L.Multiply(p, L.Pow2(n));
    }
}
