using Dnet.Inference.Kernels;
using Dnet.Models;

namespace Dnet.Inference.Model;

/// <summary>
/// softmax(q·kᵀ/√d)·v for every (row, query head) of a batch, each row over its own sequence's cache up to its
/// own position (so causality inside a prefill chunk is by position, no mask). Query head h reads kv head
/// h / (heads / kv_heads) in place. A work item is one row's kv head with all the query heads that share it, so one
/// thread brings those keys and values into its cache once and reads them there for the other heads of the group.
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
        _scores = [.. Enumerable.Range(0, group.Threads).Select(_ => GC.AllocateArray<float>(capacity, pinned: true))];
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
        int row = item / _kvHeads, perKv = _heads / _kvHeads;
        int first = row * _heads + item % _kvHeads * perKv;
        for (int head = first; head < first + perKv; head++)
        {
            Attend(head, worker);
        }
    }

    // One (row, query head): item = row · heads + head.
    void Attend(int item, int worker)
    {
        switch (_level, _rows.Kv[item / _heads].Dtype)
        {
            case (SimdLevel.Vector512, ComputeDtype.Float32):
                Attend<Lanes512, F32>(item, worker);
                break;
            case (SimdLevel.Vector512, _):
                Attend<Lanes512, BF16>(item, worker);
                break;
            case (SimdLevel.Vector256, ComputeDtype.Float32):
                Attend<Lanes256, F32>(item, worker);
                break;
            case (SimdLevel.Vector256, _):
                Attend<Lanes256, BF16>(item, worker);
                break;
            case (_, ComputeDtype.Float32):
                Attend<LanesScalar, F32>(item, worker);
                break;
            default:
                Attend<LanesScalar, BF16>(item, worker);
                break;
        }
    }

    void Attend<L, D>(int item, int worker)
        where L : struct, ILanes<L>
        where D : struct, IElement
    {
        int row = item / _heads, head = item % _heads;
        var kv = _rows.Kv[row];
        int length = _rows.Position[row] + 1;
        int d = _headDim;
        long rowBytes = (long)d * D.Size;
        int kvHead = head / (_heads / _kvHeads);
        float* q = _qkv + (long)row * _qkvWidth + head * d;
        byte* keys = kv.Keys(_layer, kvHead);
        byte* values = kv.Values(_layer, kvHead);
        fixed (float* scores = _scores[worker])
        {
            // Four keys at a time are four independent chains of the same dot products (a single chain of d/16 fused
            // multiply-adds and a lane sum is latency bound).
            int t = 0;
            for (; t + 4 <= length; t += 4)
            {
                MatMul.Tile1x4<L, D>(q, d, keys + t * rowBytes, scores + t, prefetch: false);
            }
            for (; t < length; t++)
            {
                scores[t] = MatMul.Dot<L, D>(q, keys + t * rowBytes, d);
            }
            float max = float.NegativeInfinity;
            for (t = 0; t < length; t++)
            {
                float s = scores[t] * _scale;
                scores[t] = s;
                max = MathF.Max(max, s);
            }
            float inverse = 1f / Softmax<L>(scores, length, max);
            Scale<L>(scores, length, inverse);
            WeightedSum<L, D>(scores, values, length, d, _output + (long)row * _heads * d + head * d);
        }
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
