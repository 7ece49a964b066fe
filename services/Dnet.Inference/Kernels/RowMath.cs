using System.Runtime.Intrinsics;
using Dnet.Models;

namespace Dnet.Inference.Kernels;

/// <summary>
/// The element-wise and per-row steps of a decoder layer, in float32, each on one row at a time so that a row's
/// result depends only on that row. Reductions use the canonical lane order of <see cref="MatMul"/>.
/// </summary>
static unsafe class RowMath
{
    /// <summary>x·w in the canonical order, for w of <paramref name="dtype"/> (attention scores, norms).</summary>
    public static float Dot(SimdLevel level, float* x, byte* w, int k, ComputeDtype dtype) => (level, dtype) switch
    {
        (SimdLevel.Vector512, ComputeDtype.Float32) => MatMul.Dot<Lanes512, F32>(x, w, k),
        (SimdLevel.Vector512, _) => MatMul.Dot<Lanes512, BF16>(x, w, k),
        (SimdLevel.Vector256, ComputeDtype.Float32) => MatMul.Dot<Lanes256, F32>(x, w, k),
        (SimdLevel.Vector256, _) => MatMul.Dot<Lanes256, BF16>(x, w, k),
        (_, ComputeDtype.Float32) => MatMul.Dot<LanesScalar, F32>(x, w, k),
        _ => MatMul.Dot<LanesScalar, BF16>(x, w, k),
    };

    /// <summary>out = x / sqrt(mean(x²) + eps) · weight (HF LlamaRMSNorm, in float32).</summary>
    public static void RmsNorm(SimdLevel level, float* x, Weight weight, float eps, float* output, int n)
    {
        float meanSquare = Dot(level, x, (byte*)x, n, ComputeDtype.Float32) / n;
        float scale = 1f / MathF.Sqrt(meanSquare + eps);
        // Eight lanes at a time, then the tail: the same two roundings (x·scale, then ·w) per element either way.
        var factor = Vector256.Create(scale);
        int i = 0;
        if (weight.Dtype == ComputeDtype.Float32)
        {
            float* w = (float*)weight.Data;
            for (; i + 8 <= n; i += 8)
            {
                (Vector256.Load(x + i) * factor * Vector256.Load(w + i)).Store(output + i);
            }
            for (; i < n; i++)
            {
                output[i] = x[i] * scale * w[i];
            }
            return;
        }
        ushort* bits = (ushort*)weight.Data;
        for (; i + 8 <= n; i += 8)
        {
            var w = Vector256.ShiftLeft(Vector256.WidenLower(Vector128.Load(bits + i).ToVector256Unsafe()), 16).AsSingle();
            (Vector256.Load(x + i) * factor * w).Store(output + i);
        }
        for (; i < n; i++)
        {
            output[i] = x[i] * scale * Bf16.ToFloat(bits[i]);
        }
    }

    /// <summary>x += delta; in bf16 the residual stream is kept bf16-representable, so hidden states cross shards exactly.</summary>
    public static void AddResidual(float* x, float* delta, int n, ComputeDtype dtype)
    {
        int i = 0;
        if (dtype == ComputeDtype.Float32)
        {
            for (; i + 8 <= n; i += 8)
            {
                (Vector256.Load(x + i) + Vector256.Load(delta + i)).Store(x + i);
            }
            for (; i < n; i++)
            {
                x[i] += delta[i];
            }
            return;
        }
        for (; i + 8 <= n; i += 8)
        {
            Bf16.Round(Vector256.Load(x + i) + Vector256.Load(delta + i)).Store(x + i);
        }
        for (; i < n; i++)
        {
            x[i] = Bf16.Round(x[i] + delta[i]);
        }
    }

    /// <summary>
    /// out[i] = silu(gate[i]) · up[i], with gate|up one row of the fused projection. Whether element i takes the
    /// vector or the scalar exp depends only on i and the row length, so a row's bits stay its own.
    /// </summary>
    public static void SwiGlu(float* gateUp, int intermediate, float* output)
    {
        float* up = gateUp + intermediate;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var one = Vector512<float>.One;
            for (; i + 16 <= intermediate; i += 16)
            {
                var g = Vector512.Load(gateUp + i);
                (g / (one + Vector512.Exp(-g)) * Vector512.Load(up + i)).Store(output + i);
            }
        }
        for (; i < intermediate; i++)
        {
            float g = gateUp[i];
            output[i] = g / (1f + MathF.Exp(-g)) * up[i];
        }
    }

    /// <summary>Rotates pairs (i, i + half) of each of <paramref name="heads"/> consecutive heads by the position's angles.</summary>
    public static void Rope(float* heads, int count, int headDim, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        int half = headDim / 2;
        fixed (float* c = cos, s = sin)
        {
            for (int h = 0; h < count; h++)
            {
                float* head = heads + h * headDim;
                int i = 0;
                // Eight pairs at a time, then the tail: the same products and one subtraction or addition per element.
                for (; i + 8 <= half; i += 8)
                {
                    var x1 = Vector256.Load(head + i);
                    var x2 = Vector256.Load(head + i + half);
                    var co = Vector256.Load(c + i);
                    var si = Vector256.Load(s + i);
                    ((x1 * co) - (x2 * si)).Store(head + i);
                    ((x2 * co) + (x1 * si)).Store(head + i + half);
                }
                for (; i < half; i++)
                {
                    float x1 = head[i], x2 = head[i + half];
                    head[i] = x1 * c[i] - x2 * s[i];
                    head[i + half] = x2 * c[i] + x1 * s[i];
                }
            }
        }
    }

    /// <summary>Stores a float row in the cache's dtype (bf16 rounds to nearest even).</summary>
    public static void Store(float* source, byte* target, int n, ComputeDtype dtype)
    {
        if (dtype == ComputeDtype.Float32)
        {
            new ReadOnlySpan<float>(source, n).CopyTo(new Span<float>(target, n));
            return;
        }
        Bf16.Narrow(source, (ushort*)target, n);
    }
}
