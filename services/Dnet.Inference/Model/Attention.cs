using Dnet.Inference.Kernels;
using Dnet.Models;

namespace Dnet.Inference.Model;

/// <summary>
/// softmax(q·kᵀ/√d)·v for every (row, query head) of a batch, each row over its own sequence's cache up to its
/// own position (so causality inside a prefill chunk is by position, no mask). Query head h reads kv head
/// h / (heads / kv_heads) in place. A work item is one row's kv head with all the query heads that share it, so one
/// thread brings those keys and values into its cache once; three query heads go through them in one pass (each key
/// and value row loaded once for the three, twelve independent accumulator chains), bit for bit what one head at a
/// time gives (tested).
/// Scores live in per-thread scratch sized to the cache capacity, allocated once.
/// </summary>
sealed unsafe class Attention : IParallelWork
{
    readonly WorkerGroup _group;
    readonly SimdLevel _level;
    readonly int _heads;
    readonly int _kvHeads;
    readonly int _headDim;
    readonly float _scale;
    readonly float[][] _scores;
    readonly int _capacity;
    BatchRows _rows = null!;
    int _layer;
    float* _qkv;
    int _qkvWidth;
    float* _output;

    public Attention(WorkerGroup group, SimdLevel level, ModelConfig config, int capacity)
    {
        _group = group;
        _level = level;
        _heads = config.NumAttentionHeads;
        _kvHeads = config.NumKeyValueHeads;
        _headDim = config.HeadDim;
        _scale = 1f / MathF.Sqrt(config.HeadDim);
        _capacity = capacity;
        // Three heads' scores per thread (AttendThree).
        _scores = [.. Enumerable.Range(0, group.Threads).Select(_ => GC.AllocateArray<float>(3 * capacity, pinned: true))];
    }

    /// <summary>output[row, heads·head_dim] from the q part of each qkv row and the caches (keys already stored).</summary>
    public void Run(BatchRows rows, int layer, float* qkv, int qkvWidth, float* output)
    {
        _rows = rows;
        _layer = layer;
        _qkv = qkv;
        _qkvWidth = qkvWidth;
        _output = output;
        _group.Run(this, rows.Count * _kvHeads);
    }

    void IParallelWork.Run(int item, int worker)
    {
        switch (_level, _rows.Kv[item / _kvHeads].Dtype)
        {
            case (SimdLevel.Vector512, ComputeDtype.Float32):
                AttendGroup<Lanes512, F32>(item, worker);
                break;
            case (SimdLevel.Vector512, _):
                AttendGroup<Lanes512, BF16>(item, worker);
                break;
            case (SimdLevel.Vector256, ComputeDtype.Float32):
                AttendGroup<Lanes256, F32>(item, worker);
                break;
            case (SimdLevel.Vector256, _):
                AttendGroup<Lanes256, BF16>(item, worker);
                break;
            case (_, ComputeDtype.Float32):
                AttendGroup<LanesScalar, F32>(item, worker);
                break;
            default:
                AttendGroup<LanesScalar, BF16>(item, worker);
                break;
        }
    }

    /// <summary>Three query heads of a kv head in one pass where they can; off only to test that it changes no bit.</summary>
    internal bool GroupsHeads { get; init; } = true;

    // item = row · kv_heads + kv head: the query heads sharing that kv head, three at a time where they can (one pass
    // over the keys and one over the values for the three), then one at a time. Either way every score and output
    // element is the same chain of operations, so the result does not depend on how the heads were grouped.
    void AttendGroup<L, D>(int item, int worker)
        where L : struct, ILanes<L>
        where D : struct, IElement
    {
        int row = item / _kvHeads, kvHead = item % _kvHeads, perKv = _heads / _kvHeads;
        var kv = _rows.Kv[row];
        var head = new Head(
            _qkv + (long)row * _qkvWidth, _output + (long)row * _heads * _headDim, kv.Keys(_layer, kvHead), kv.Values(_layer, kvHead),
            _rows.Position[row] + 1);
        int first = kvHead * perKv, end = first + perKv;
        fixed (float* scores = _scores[worker])
        {
            if (GroupsHeads && _headDim % 64 == 0)
            {
                for (; first + 3 <= end; first += 3)
                {
                    AttendThree<L, D>(head, first, scores);
                }
            }
            for (; first < end; first++)
            {
                Attend<L, D>(head, first, scores);
            }
        }
    }

    void Attend<L, D>(Head at, int head, float* scores)
        where L : struct, ILanes<L>
        where D : struct, IElement
    {
        int length = at.Length, d = _headDim;
        long rowBytes = (long)d * D.Size;
        float* q = at.Query + head * d;
        // Four keys at a time are four independent chains of the same dot products (a single chain of d/16 fused
        // multiply-adds and a lane sum is latency bound).
        int t = 0;
        for (; t + 4 <= length; t += 4)
        {
            MatMul.Tile1x4<L, D>(q, d, at.Keys + t * rowBytes, scores + t, prefetch: false);
        }
        for (; t < length; t++)
        {
            scores[t] = MatMul.Dot<L, D>(q, at.Keys + t * rowBytes, d);
        }
        Normalize<L>(scores, length);
        WeightedSum<L, D>(scores, at.Values, length, d, at.Output + head * d);
    }

    // Three query heads of one kv head (head_dim a multiple of 64): each key and value row is loaded once for the three.
    void AttendThree<L, D>(Head at, int head, float* scores)
        where L : struct, ILanes<L>
        where D : struct, IElement
    {
        int length = at.Length, d = _headDim, capacity = _capacity;
        long rowBytes = (long)d * D.Size;
        float* q0 = at.Query + head * d, q1 = q0 + d, q2 = q1 + d;
        float* s0 = scores, s1 = scores + capacity, s2 = s1 + capacity;
        int t = 0;
        for (; t + 4 <= length; t += 4)
        {
            byte* k0 = at.Keys + t * rowBytes, k1 = k0 + rowBytes, k2 = k1 + rowBytes, k3 = k2 + rowBytes;
            L a00 = L.Zero, a01 = L.Zero, a02 = L.Zero, a03 = L.Zero;
            L a10 = L.Zero, a11 = L.Zero, a12 = L.Zero, a13 = L.Zero;
            L a20 = L.Zero, a21 = L.Zero, a22 = L.Zero, a23 = L.Zero;
            for (int c = 0; c < d; c += 16)
            {
                L w0 = D.Load<L>(k0, c), w1 = D.Load<L>(k1, c), w2 = D.Load<L>(k2, c), w3 = D.Load<L>(k3, c);
                L v = L.Load(q0 + c);
                a00 = L.Fma(v, w0, a00);
                a01 = L.Fma(v, w1, a01);
                a02 = L.Fma(v, w2, a02);
                a03 = L.Fma(v, w3, a03);
                v = L.Load(q1 + c);
                a10 = L.Fma(v, w0, a10);
                a11 = L.Fma(v, w1, a11);
                a12 = L.Fma(v, w2, a12);
                a13 = L.Fma(v, w3, a13);
                v = L.Load(q2 + c);
                a20 = L.Fma(v, w0, a20);
                a21 = L.Fma(v, w1, a21);
                a22 = L.Fma(v, w2, a22);
                a23 = L.Fma(v, w3, a23);
            }
            L.Sum4(a00, a01, a02, a03, s0 + t);
            L.Sum4(a10, a11, a12, a13, s1 + t);
            L.Sum4(a20, a21, a22, a23, s2 + t);
        }
        for (; t < length; t++)
        {
            byte* k = at.Keys + t * rowBytes;
            s0[t] = MatMul.Dot<L, D>(q0, k, d);
            s1[t] = MatMul.Dot<L, D>(q1, k, d);
            s2[t] = MatMul.Dot<L, D>(q2, k, d);
        }
        Normalize<L>(s0, length);
        Normalize<L>(s1, length);
        Normalize<L>(s2, length);
        float* o0 = at.Output + head * d, o1 = o0 + d, o2 = o1 + d;
        for (int c = 0; c < d; c += 64)
        {
            L b00 = L.Zero, b01 = L.Zero, b02 = L.Zero, b03 = L.Zero;
            L b10 = L.Zero, b11 = L.Zero, b12 = L.Zero, b13 = L.Zero;
            L b20 = L.Zero, b21 = L.Zero, b22 = L.Zero, b23 = L.Zero;
            for (t = 0; t < length; t++)
            {
                byte* v = at.Values + t * rowBytes;
                L x0 = D.Load<L>(v, c), x1 = D.Load<L>(v, c + 16), x2 = D.Load<L>(v, c + 32), x3 = D.Load<L>(v, c + 48);
                L p = L.Broadcast(s0[t]);
                b00 = L.Fma(p, x0, b00);
                b01 = L.Fma(p, x1, b01);
                b02 = L.Fma(p, x2, b02);
                b03 = L.Fma(p, x3, b03);
                p = L.Broadcast(s1[t]);
                b10 = L.Fma(p, x0, b10);
                b11 = L.Fma(p, x1, b11);
                b12 = L.Fma(p, x2, b12);
                b13 = L.Fma(p, x3, b13);
                p = L.Broadcast(s2[t]);
                b20 = L.Fma(p, x0, b20);
                b21 = L.Fma(p, x1, b21);
                b22 = L.Fma(p, x2, b22);
                b23 = L.Fma(p, x3, b23);
            }
            b00.Store(o0 + c);
            b01.Store(o0 + c + 16);
            b02.Store(o0 + c + 32);
            b03.Store(o0 + c + 48);
            b10.Store(o1 + c);
            b11.Store(o1 + c + 16);
            b12.Store(o1 + c + 32);
            b13.Store(o1 + c + 48);
            b20.Store(o2 + c);
            b21.Store(o2 + c + 16);
            b22.Store(o2 + c + 32);
            b23.Store(o2 + c + 48);
        }
    }

    // scores = softmax(scores · scale), in place.
    void Normalize<L>(float* scores, int length)
        where L : struct, ILanes<L>
    {
        float max = ScaleAndMax<L>(scores, length, _scale);
        float inverse = 1f / Softmax<L>(scores, length, max);
        Scale<L>(scores, length, inverse);
    }

    /// <summary>One row's q and output heads, and one kv head's keys and values in the row's cache.</summary>
    readonly struct Head(float* query, float* output, byte* keys, byte* values, int length)
    {
        public float* Query { get; } = query;

        public float* Output { get; } = output;

        public byte* Keys { get; } = keys;

        public byte* Values { get; } = values;

        /// <summary>Positions the row attends to.</summary>
        public int Length { get; } = length;
    }

    /// <summary>scores[t] *= scale for t &lt; length (one rounding each, in lanes or not); returns the largest.</summary>
    static float ScaleAndMax<L>(float* scores, int length, float scale)
        where L : struct, ILanes<L>
    {
        var factor = L.Broadcast(scale);
        var most = L.Broadcast(float.NegativeInfinity);
        int full = length & ~15;
        for (int t = 0; t < full; t += 16)
        {
            var s = L.Multiply(L.Load(scores + t), factor);
            s.Store(scores + t);
            most = L.Max(most, s);
        }
        float* lanes = stackalloc float[16];
        most.Store(lanes);
        float max = float.NegativeInfinity;
        for (int i = 0; i < 16; i++)
        {
            max = MathF.Max(max, lanes[i]);
        }
        for (int t = full; t < length; t++)
        {
            float s = scores[t] * scale;
            scores[t] = s;
            max = MathF.Max(max, s);
        }
        return max;
    }

    /// <summary>
    /// scores[t] = e^(scores[t] - max) for t &lt; length, sixteen at a time (lane exp, <see cref="LaneExp"/>); returns
    /// their sum, lane-wise then the fixed lane tree. The padding lanes of the last chunk count as zero.
    /// </summary>
    static float Softmax<L>(float* scores, int length, float max)
        where L : struct, ILanes<L>
    {
        var shift = L.Broadcast(max);
        var total = L.Zero;
        int full = length & ~15;
        for (int t = 0; t < full; t += 16)
        {
            var e = LaneExp.Of(L.Subtract(L.Load(scores + t), shift));
            e.Store(scores + t);
            total = L.Add(total, e);
        }
        if (full < length)
        {
            float* tail = stackalloc float[16];
            for (int i = 0; i < 16; i++)
            {
                tail[i] = full + i < length ? scores[full + i] : max;
            }
            LaneExp.Of(L.Subtract(L.Load(tail), shift)).Store(tail);
            for (int i = 0; i < 16; i++)
            {
                if (full + i < length)
                {
                    scores[full + i] = tail[i];
                }
                else
                {
                    tail[i] = 0f;
                }
            }
            total = L.Add(total, L.Load(tail));
        }
        return total.Sum();
    }

    /// <summary>scores[t] *= factor for t &lt; length (the same single rounding in vector and scalar lanes).</summary>
    static void Scale<L>(float* scores, int length, float factor)
        where L : struct, ILanes<L>
    {
        var f = L.Broadcast(factor);
        int full = length & ~15;
        for (int t = 0; t < full; t += 16)
        {
            L.Multiply(L.Load(scores + t), f).Store(scores + t);
        }
        for (int t = full; t < length; t++)
        {
            scores[t] *= factor;
        }
    }

    /// <summary>
    /// output = Σ_t p_t · v_t: one FMA chain per element, in position order (vector or scalar alike). Four chunks of
    /// sixteen elements run side by side, four independent chains instead of one latency-bound chain at a time.
    /// </summary>
    static void WeightedSum<L, D>(float* p, byte* values, int length, int d, float* output)
        where L : struct, ILanes<L>
        where D : struct, IElement
    {
        long rowBytes = (long)d * D.Size;
        int full = d & ~15;
        int c = 0;
        for (; c + 64 <= full; c += 64)
        {
            L acc0 = L.Zero, acc1 = L.Zero, acc2 = L.Zero, acc3 = L.Zero;
            for (int t = 0; t < length; t++)
            {
                var weight = L.Broadcast(p[t]);
                byte* v = values + t * rowBytes;
                acc0 = L.Fma(weight, D.Load<L>(v, c), acc0);
                acc1 = L.Fma(weight, D.Load<L>(v, c + 16), acc1);
                acc2 = L.Fma(weight, D.Load<L>(v, c + 32), acc2);
                acc3 = L.Fma(weight, D.Load<L>(v, c + 48), acc3);
            }
            acc0.Store(output + c);
            acc1.Store(output + c + 16);
            acc2.Store(output + c + 32);
            acc3.Store(output + c + 48);
        }
        for (; c < full; c += 16)
        {
            L acc = L.Zero;
            for (int t = 0; t < length; t++)
            {
                acc = L.Fma(L.Broadcast(p[t]), D.Load<L>(values + t * rowBytes, c), acc);
            }
            acc.Store(output + c);
        }
        for (int i = full; i < d; i++)
        {
            float acc = 0;
            for (int t = 0; t < length; t++)
            {
                byte* v = values + t * rowBytes;
                float value = D.Size == 4 ? ((float*)v)[i] : Bf16.ToFloat(((ushort*)v)[i]);
                acc = MathF.FusedMultiplyAdd(p[t], value, acc);
            }
            output[i] = acc;
        }
    }
}
