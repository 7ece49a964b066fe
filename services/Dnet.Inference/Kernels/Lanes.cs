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

    /// <summary>e^x per lane, as <see cref="LaneExp"/> computes it (the same operations in every form).</summary>
    static abstract TSelf Exp(TSelf x);

    void Store(float* p);

    /// <summary>((l0+l8) + (l4+l12)) + ... : lanes i and i+8, then i and i+4, then i and i+2, then 0 and 1.</summary>
    float Sum();
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
    public static Lanes512 Exp(Lanes512 x)
    {
        var v = Vector512.Min(Vector512.Max(x._v, Vector512.Create(LaneExp.Low)), Vector512.Create(LaneExp.High));
        var n = Vector512.Round(v * Vector512.Create(LaneExp.Log2E));
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(LaneExp.MinusLn2High), v);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(LaneExp.MinusLn2Low), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(LaneExp.P0), r, Vector512.Create(LaneExp.P1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(LaneExp.P2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(LaneExp.P3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(LaneExp.P4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(LaneExp.P5));
        p = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        var scale = Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle();
        return new() { _v = p * scale };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly float Sum()
    {
        var eight = _v.GetLower() + _v.GetUpper();
        var four = eight.GetLower() + eight.GetUpper();
        var two = four + Vector128.Shuffle(four, Vector128.Create(2, 3, 0, 1));
        return two.GetElement(0) + two.GetElement(1);
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
    public static Lanes256 Exp(Lanes256 x) => new() { _lo = Exp8(x._lo), _hi = Exp8(x._hi) };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Exp8(Vector256<float> x)
    {
        var v = Vector256.Min(Vector256.Max(x, Vector256.Create(LaneExp.Low)), Vector256.Create(LaneExp.High));
        var n = Vector256.Round(v * Vector256.Create(LaneExp.Log2E));
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(LaneExp.MinusLn2High), v);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(LaneExp.MinusLn2Low), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(LaneExp.P0), r, Vector256.Create(LaneExp.P1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(LaneExp.P2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(LaneExp.P3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(LaneExp.P4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(LaneExp.P5));
        p = Vector256.FusedMultiplyAdd(p, r * r, r + Vector256<float>.One);
        var scale = Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle();
        return p * scale;
    }

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

    public static LanesScalar Exp(LanesScalar x) => Each(x, x, static (v, _) => LaneExp.Of(v));

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
/// e^x for one float lane, the definition every <see cref="ILanes{TSelf}.Exp"/> form computes operation by operation
/// (clamp, n = round-to-even(x·log2 e), r = x - n·ln2 in two fused steps, Cephes' degree-5 polynomial, times 2^n
/// built from the exponent bits): within 2 ulp of exp on [-87.3, 88.4], and bitwise the same on every SIMD width.
/// </summary>
static class LaneExp
{
    public const float Low = -87.33654f;
    public const float High = 88.37626f;
    public const float Log2E = 1.44269504088896341f;
    public const float MinusLn2High = -0.693359375f;
    public const float MinusLn2Low = 2.12194440e-4f;
    public const float P0 = 1.9875691500e-4f;
    public const float P1 = 1.3981999507e-3f;
    public const float P2 = 8.3334519073e-3f;
    public const float P3 = 4.1665795894e-2f;
    public const float P4 = 1.6666665459e-1f;
    public const float P5 = 5.0000001201e-1f;

    public static float Of(float x)
    {
        float v = MathF.Min(MathF.Max(x, Low), High);
        float n = MathF.Round(v * Log2E, MidpointRounding.ToEven);
        float r = MathF.FusedMultiplyAdd(n, MinusLn2High, v);
        r = MathF.FusedMultiplyAdd(n, MinusLn2Low, r);
        float p = MathF.FusedMultiplyAdd(P0, r, P1);
        p = MathF.FusedMultiplyAdd(p, r, P2);
        p = MathF.FusedMultiplyAdd(p, r, P3);
        p = MathF.FusedMultiplyAdd(p, r, P4);
        p = MathF.FusedMultiplyAdd(p, r, P5);
        p = MathF.FusedMultiplyAdd(p, r * r, r + 1f);
        return p * BitConverter.Int32BitsToSingle(((int)n + 127) << 23);
    }
}
