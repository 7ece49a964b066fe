using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dnet.Inference.Kernels;

/// <summary>bfloat16 bits: the high half of a float32. Widening is exact; narrowing rounds to nearest even, as torch does.</summary>
unsafe static class Bf16
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToFloat(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FromFloat(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    /// <summary>The float nearest to <paramref name="value"/> that bf16 can hold.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Round(float value) => ToFloat(FromFloat(value));

    /// <summary><see cref="Round(float)"/> on eight lanes (the same bits as the scalar form).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Round(Vector256<float> value) =>
        Vector256.ShiftLeft(Round(value, Vector256.Create(0x7FFFu), Vector256.Create(1u), Vector256.Create(0x40u)), 16).AsSingle();

    /// <summary>target[i] = FromFloat(source[i]) for n elements, sixteen at a time (the same bits as the scalar form).</summary>
    public static void Narrow(float* source, ushort* target, long n)
    {
        long i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var half = Vector256.Create(0x7FFFu);
            var one = Vector256.Create(1u);
            var quietBit = Vector256.Create(0x40u);
            for (; i + 16 <= n; i += 16)
            {
                var lo = Vector256.Load(source + i);
                var hi = Vector256.Load(source + i + 8);
                Vector256.Narrow(Round(lo, half, one, quietBit), Round(hi, half, one, quietBit)).Store(target + i);
            }
        }
        for (; i < n; i++)
        {
            target[i] = FromFloat(source[i]);
        }
    }

    /// <summary>target[i] = ToFloat(source[i]) for n elements, sixteen at a time.</summary>
    public static void Widen(ushort* source, float* target, long n)
    {
        long i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 16 <= n; i += 16)
            {
                var (lo, hi) = Vector256.Widen(Vector256.Load(source + i));
                Vector256.ShiftLeft(lo, 16).AsSingle().Store(target + i);
                Vector256.ShiftLeft(hi, 16).AsSingle().Store(target + i + 8);
            }
        }
        for (; i < n; i++)
        {
            target[i] = ToFloat(source[i]);
        }
    }

    // FromFloat on eight lanes: round to nearest even in the high half; NaN keeps its sign and becomes quiet.
    static Vector256<uint> Round(Vector256<float> value, Vector256<uint> half, Vector256<uint> one, Vector256<uint> quietBit)
    {
        var bits = value.AsUInt32();
        var rounded = Vector256.ShiftRightLogical(bits + half + (Vector256.ShiftRightLogical(bits, 16) & one), 16);
        var nan = ~Vector256.Equals(value, value).AsUInt32();
        return Vector256.ConditionalSelect(nan, Vector256.ShiftRightLogical(bits, 16) | quietBit, rounded);
    }
}
