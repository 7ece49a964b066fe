using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Dnet.Models;

namespace Dnet.Inference.Kernels;

/// <summary>The SIMD width the kernels run at.</summary>
enum SimdLevel
{
    Scalar,
    Vector256,
    Vector512,
}

/// <summary>
/// y[m, n] = Σ_k x[m, k] · W[n, k] for m rows of activations at once (decode rows of many sequences, or a prefill
/// chunk), reading each weight once per call, split across the worker group by blocks of output features. Every
/// output element is one <see cref="ILanes{T}"/> dot product in a fixed order, so a row's result never depends on the
/// other rows, on m, on the thread that computed it, or on the SIMD width.
/// </summary>
[SkipLocalsInit] // the tail buffers are written before they are read
static unsafe class MatMul
{
    /// <summary>The widest level this CPU runs natively (AVX-512F, else AVX2+FMA, else scalar).</summary>
    public static SimdLevel Best { get; } =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? SimdLevel.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported && Avx2.IsSupported ? SimdLevel.Vector256
        : SimdLevel.Scalar;

    /// <summary>Rows [row, row + count) of one part into columns starting at <paramref name="column"/> of y.</summary>
    public static void Block(SimdLevel level, Weight w, int row, int count, float* x, int m, float* y, int ldy, int column)
    {
        switch (level, w.Dtype)
        {
            case (SimdLevel.Vector512, ComputeDtype.Float32):
                Block<Lanes512, F32>(w, row, count, x, m, y, ldy, column);
                break;
            case (SimdLevel.Vector512, _):
                Block<Lanes512, BF16>(w, row, count, x, m, y, ldy, column);
                break;
            case (SimdLevel.Vector256, ComputeDtype.Float32):
                Block<Lanes256, F32>(w, row, count, x, m, y, ldy, column);
                break;
            case (SimdLevel.Vector256, _):
                Block<Lanes256, BF16>(w, row, count, x, m, y, ldy, column);
                break;
            case (_, ComputeDtype.Float32):
                Block<LanesScalar, F32>(w, row, count, x, m, y, ldy, column);
                break;
            default:
                Block<LanesScalar, BF16>(w, row, count, x, m, y, ldy, column);
                break;
        }
    }

    // The weight block (4 rows) stays in L1 while every activation row passes over it; 4x4 tiles give 16 independent
    // accumulators, 8 loads per 16 FMAs. Remainders use the 1x4 and 1x1 forms, which do the same per-element work.
    static void Block<L, D>(Weight w, int row, int count, float* x, int m, float* y, int ldy, int column)
        where L : struct, ILanes<L>
        where D : struct, IElement
    {
        int k = w.Cols;
        int end = row + count;
        int r = row;
        for (; r + 4 <= end; r += 4)
        {
            byte* w0 = w.Row(r);
            int i = 0;
            for (; i + 4 <= m; i += 4)
            {
                Tile4x4<L, D>(x + (long)i * k, k, w0, y + (long)i * ldy + column + r - row, ldy, prefetch: D.Size == 2 && i == 0);
            }
            for (; i < m; i++)
            {
                Tile1x4<L, D>(x + (long)i * k, k, w0, y + (long)i * ldy + column + r - row, prefetch: D.Size == 2 && i == 0);
            }
        }
        for (; r < end; r++)
        {
            byte* w0 = w.Row(r);
            for (int i = 0; i < m; i++)
            {
                y[(long)i * ldy + column + r - row] = Dot<L, D>(x + (long)i * k, w0, k);
            }
        }
    }

    static void Tile4x4<L, D>(float* x, int k, byte* w, float* y, int ldy, bool prefetch)
        where L : struct, ILanes<L>
        where D : struct, IElement
    {
        long rowBytes = (long)k * D.Size;
        byte* w1 = w + rowBytes, w2 = w1 + rowBytes, w3 = w2 + rowBytes;
        float* x1 = x + k, x2 = x1 + k, x3 = x2 + k;
        L a00 = L.Zero, a01 = L.Zero, a02 = L.Zero, a03 = L.Zero;
        L a10 = L.Zero, a11 = L.Zero, a12 = L.Zero, a13 = L.Zero;
        L a20 = L.Zero, a21 = L.Zero, a22 = L.Zero, a23 = L.Zero;
        L a30 = L.Zero, a31 = L.Zero, a32 = L.Zero, a33 = L.Zero;
        float* tail = stackalloc float[8 * 16];
        int full = k & ~15;
        for (int c = 0; c <= full; c += 16)
        {
            L b0, b1, b2, b3, v0, v1, v2, v3;
            if (c < full)
            {
                if (prefetch)
                {
                    PrefetchNextTile(w, rowBytes, c * D.Size);
                }
                b0 = D.Load<L>(w, c); b1 = D.Load<L>(w1, c); b2 = D.Load<L>(w2, c); b3 = D.Load<L>(w3, c);
                v0 = L.Load(x + c); v1 = L.Load(x1 + c); v2 = L.Load(x2 + c); v3 = L.Load(x3 + c);
            }
            else if (c < k)
            {
                b0 = D.Tail<L>(w, c, k, tail); b1 = D.Tail<L>(w1, c, k, tail + 16); b2 = D.Tail<L>(w2, c, k, tail + 32); b3 = D.Tail<L>(w3, c, k, tail + 48);
                v0 = F32.TailOf<L>(x, c, k, tail + 64); v1 = F32.TailOf<L>(x1, c, k, tail + 80); v2 = F32.TailOf<L>(x2, c, k, tail + 96); v3 = F32.TailOf<L>(x3, c, k, tail + 112);
            }
            else
            {
                break;
            }
            a00 = L.Fma(v0, b0, a00); a01 = L.Fma(v0, b1, a01); a02 = L.Fma(v0, b2, a02); a03 = L.Fma(v0, b3, a03);
            a10 = L.Fma(v1, b0, a10); a11 = L.Fma(v1, b1, a11); a12 = L.Fma(v1, b2, a12); a13 = L.Fma(v1, b3, a13);
            a20 = L.Fma(v2, b0, a20); a21 = L.Fma(v2, b1, a21); a22 = L.Fma(v2, b2, a22); a23 = L.Fma(v2, b3, a23);
            a30 = L.Fma(v3, b0, a30); a31 = L.Fma(v3, b1, a31); a32 = L.Fma(v3, b2, a32); a33 = L.Fma(v3, b3, a33);
        }
        L.Sum4(a00, a01, a02, a03, y);
        L.Sum4(a10, a11, a12, a13, y + ldy);
        L.Sum4(a20, a21, a22, a23, y + 2 * ldy);
        L.Sum4(a30, a31, a32, a33, y + 3 * ldy);
    }

    /// <summary>
    /// y[0..3] = x·w_j for the four rows w, w + k, w + 2k, w + 3k (elements of <typeparamref name="D"/>): four
    /// <see cref="Dot{L, D}"/>s, bit for bit, as four independent chains (attention scores four keys at a time).
    /// </summary>
    public static void Tile1x4<L, D>(float* x, int k, byte* w, float* y, bool prefetch)
        where L : struct, ILanes<L>
        where D : struct, IElement
    {
        long rowBytes = (long)k * D.Size;
        byte* w1 = w + rowBytes, w2 = w1 + rowBytes, w3 = w2 + rowBytes;
        L a0 = L.Zero, a1 = L.Zero, a2 = L.Zero, a3 = L.Zero;
        float* tail = stackalloc float[5 * 16];
        int full = k & ~15;
        for (int c = 0; c < full; c += 16)
        {
            if (prefetch)
            {
                PrefetchNextTile(w, rowBytes, c * D.Size);
            }
            L v = L.Load(x + c);
            a0 = L.Fma(v, D.Load<L>(w, c), a0);
            a1 = L.Fma(v, D.Load<L>(w1, c), a1);
            a2 = L.Fma(v, D.Load<L>(w2, c), a2);
            a3 = L.Fma(v, D.Load<L>(w3, c), a3);
        }
        if (full < k)
        {
            L v = F32.TailOf<L>(x, full, k, tail);
            a0 = L.Fma(v, D.Tail<L>(w, full, k, tail + 16), a0);
            a1 = L.Fma(v, D.Tail<L>(w1, full, k, tail + 32), a1);
            a2 = L.Fma(v, D.Tail<L>(w2, full, k, tail + 48), a2);
            a3 = L.Fma(v, D.Tail<L>(w3, full, k, tail + 64), a3);
        }
        L.Sum4(a0, a1, a2, a3, y);
    }

    /// <summary>
    /// Asks for the same columns of the next four weight rows while this tile reads its own. Each tile reads four
    /// short rows (1-3 KB) and then jumps, which the hardware prefetcher follows late; decode is bound by how fast the
    /// weights stream in. Measured on the 2-core EPYC: bf16 decode +12-28%, f32 decode -11% (its rows are twice as
    /// long and the prefetcher keeps up), so only bf16 tiles ask, and only on their first pass over a tile (a prefill
    /// reuses the tile for every group of four activation rows). A hint only: it never faults, also past the last
    /// row, and changes no result.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void PrefetchNextTile(byte* w, long rowBytes, int offset)
    {
        if (Sse.IsSupported)
        {
            byte* next = w + 4 * rowBytes + offset;
            Sse.Prefetch0(next);
            Sse.Prefetch0(next + rowBytes);
            Sse.Prefetch0(next + 2 * rowBytes);
            Sse.Prefetch0(next + 3 * rowBytes);
        }
    }

    /// <summary>One x·w dot product in the canonical lane order (also used by attention).</summary>
    public static float Dot<L, D>(float* x, byte* w, int k)
        where L : struct, ILanes<L>
        where D : struct, IElement
    {
        L a = L.Zero;
        int full = k & ~15;
        for (int c = 0; c < full; c += 16)
        {
            a = L.Fma(L.Load(x + c), D.Load<L>(w, c), a);
        }
        if (full < k)
        {
            float* tail = stackalloc float[32];
            a = L.Fma(F32.TailOf<L>(x, full, k, tail), D.Tail<L>(w, full, k, tail + 16), a);
        }
        return a.Sum();
    }
}
