using Dnet.Inference.Kernels;
using Dnet.Models;

namespace Dnet.Inference.Model;

/// <summary>
/// The forward pass of one slice over a batch of rows (all tokens of all steps), top to bottom like llama2.c, in
/// .NET SIMD over the weights in place: no libtorch call, no allocation per step. Every projection is one kernel
/// call for all rows; everything else is per row, so a row's numbers depend only on its own sequence.
/// Activations are float32; in bf16 the residual stream x and the KV cache hold bf16 values (so the hidden state
/// crosses shards exactly), the weights are bf16 widened on the fly, and the intermediates stay float32.
/// One caller at a time.
/// </summary>
sealed unsafe class Transformer : IDisposable
{
    readonly ModelConfig _config;
    readonly SliceWeights _w;
    readonly ComputeDtype _dtype;
    readonly RotaryTable _rope;
    readonly WorkerGroup _group;
    readonly Projection _project;
    readonly TileProjection _tiles;
    readonly Attention _attention;
    readonly RowJob _perRow;
    readonly float _eps;
    readonly int _qDim, _kvDim, _qkvDim;

    // x: residual stream; xb: normed input / projection output; qkv; att: attention output; hb: gate|up; hb2: SwiGLU.
    readonly Activations _x, _xb, _qkv, _att, _hb, _hb2, _final, _logits;

    // Per-row steps, made once (a lambda per call would allocate); they read the fields below.
    readonly Action<int> _attentionNorm, _qkvRow, _mlpNorm, _swiGlu, _residual;
    static readonly BatchRows NoRows = new();
    BatchRows _rows = NoRows;
    LayerWeights _layer = null!;
    int _layerIndex;

    public Transformer(ModelConfig config, SliceWeights weights, ComputeDtype dtype, int capacity, int threads, SimdLevel level)
    {
        _config = config;
        _w = weights;
        _dtype = dtype;
        _rope = new RotaryTable(config, capacity);
        _group = new WorkerGroup(threads);
        _project = new Projection(_group, level);
        _tiles = new TileProjection(_group);
        _attention = new Attention(_group, level, config, capacity);
        _perRow = new RowJob(_group);
        _eps = (float)config.RmsNormEps;
        _qDim = config.NumAttentionHeads * config.HeadDim;
        _kvDim = config.NumKeyValueHeads * config.HeadDim;
        _qkvDim = _qDim + 2 * _kvDim;
        _x = new(config.HiddenSize);
        _xb = new(config.HiddenSize);
        _qkv = new(_qkvDim);
        _att = new(_qDim);
        _hb = new(2 * config.IntermediateSize);
        _hb2 = new(config.IntermediateSize);
        _final = new(config.HiddenSize);
        _logits = new(config.VocabSize);
        _attentionNorm = r => RowMath.RmsNorm(Level, _x.Row(r), _layer.InputLayernorm, _eps, _xb.Row(r), _config.HiddenSize);
        _qkvRow = QkvRow;
        _mlpNorm = r => RowMath.RmsNorm(Level, _x.Row(r), _layer.PostAttentionLayernorm, _eps, _xb.Row(r), _config.HiddenSize);
        _swiGlu = r => RowMath.SwiGlu(_hb.Row(r), _config.IntermediateSize, _hb2.Row(r));
        _residual = r => RowMath.AddResidual(_x.Row(r), _xb.Row(r), _config.HiddenSize, _dtype);
    }

    public SimdLevel Level => _project.Level;

    public int Threads => _group.Threads;

    /// <summary>Kernel dispatches so far (each is one synchronization of the worker group).</summary>
    public long Dispatches => _group.Jobs;

    /// <summary>No forward follows soon: the kernel threads park now instead of spinning (<see cref="WorkerGroup.Rest"/>).</summary>
    public void Rest() => _group.Rest();

    /// <summary>The residual stream [rows, hidden]: the caller writes the batch's input rows here before <see cref="Layers"/>.</summary>
    public Activations Hidden(int rows)
    {
        Ensure(rows);
        return _x;
    }

    /// <summary>Runs every layer of the slice over the rows in <see cref="Hidden"/>, in place, writing each row's K/V.</summary>
    public void Layers(BatchRows rows)
    {
        _rows = rows;
        int n = rows.Count;
        for (int l = 0; l < _w.Layers.Length; l++)
        {
            _layer = _w.Layers[l];
            _layerIndex = l;

            // Attention: x += o_proj(attention(rope(qkv_proj(rmsnorm(x)))))
            _perRow.Run(n, _attentionNorm);
            Project(_layer.QkvProj, _xb.Pointer, n, _qkv.Pointer, _qkvDim);
            _perRow.Run(n, _qkvRow);
            _attention.Run(rows, l, _qkv.Pointer, _qkvDim, _att.Pointer);
            Project(_layer.OProj, _att.Pointer, n, _xb.Pointer, _config.HiddenSize);
            _perRow.Run(n, _residual);

            // MLP: x += down_proj(silu(gate_proj(h)) * up_proj(h)), h = rmsnorm(x)
            _perRow.Run(n, _mlpNorm);
            Project(_layer.GateUpProj, _xb.Pointer, n, _hb.Pointer, 2 * _config.IntermediateSize);
            _perRow.Run(n, _swiGlu);
            Project(_layer.DownProj, _hb2.Pointer, n, _xb.Pointer, _config.HiddenSize);
            _perRow.Run(n, _residual);
        }
        _rows = NoRows;
    }

    /// <summary>
    /// y = x·Wᵀ for m rows in one call: on the AMX tiles when the weight has a tiled copy, else on the float32-FMA
    /// kernel. Either way a row's result depends on nothing but the row.
    /// </summary>
    void Project(FusedWeight weight, float* x, int m, float* y, int ldy)
    {
        if (weight.Tiles is not null)
        {
            _tiles.Run(weight, x, m, y, ldy);
        }
        else
        {
            _project.Run(weight, x, m, y, ldy);
        }
    }

    /// <summary>(q|k|v bias), (qwen3 per-head q/k norm), RoPE on q and k together, then k and v into the row's cache.</summary>
    void QkvRow(int r)
    {
        float* qkv = _qkv.Row(r);
        int d = _config.HeadDim;
        if (_layer.QkvBias is { } bias)
        {
            for (int i = 0; i < _qkvDim; i++)
            {
                qkv[i] += bias[0, i];
            }
        }
        if (_layer.QNorm is { } qNorm)
        {
            for (int h = 0; h < _config.NumAttentionHeads; h++)
            {
                RowMath.RmsNorm(Level, qkv + h * d, qNorm, _eps, qkv + h * d, d);
            }
            for (int h = 0; h < _config.NumKeyValueHeads; h++)
            {
                RowMath.RmsNorm(Level, qkv + _qDim + h * d, _layer.KNorm!.Value, _eps, qkv + _qDim + h * d, d);
            }
        }
        int position = _rows.Position[r];
        // q heads and k heads are adjacent in the fused row: one rotation pass over both.
        RowMath.Rope(qkv, _config.NumAttentionHeads + _config.NumKeyValueHeads, d, _rope.Cos(position), _rope.Sin(position));
        var kv = _rows.Kv[r];
        long at = (long)position * d * _dtype.ElementSize();
        for (int h = 0; h < _config.NumKeyValueHeads; h++)
        {
            RowMath.Store(qkv + _qDim + h * d, kv.Keys(_layerIndex, h) + at, d, _dtype);
            RowMath.Store(qkv + _qDim + _kvDim + h * d, kv.Values(_layerIndex, h) + at, d, _dtype);
        }
    }

    /// <summary>Logits [rows.Length, vocab] of the given rows of the residual stream: rmsnorm(norm) then lm_head.</summary>
    public Activations Logits(ReadOnlySpan<int> rows)
    {
        _final.Ensure(rows.Length);
        _logits.Ensure(rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            RowMath.RmsNorm(Level, _x.Row(rows[i]), _w.Norm!.Value, _eps, _final.Row(i), _config.HiddenSize);
        }
        Project(_w.LmHead!, _final.Pointer, rows.Length, _logits.Pointer, _config.VocabSize);
        return _logits;
    }

    void Ensure(int rows)
    {
        _x.Ensure(rows);
        _xb.Ensure(rows);
        _qkv.Ensure(rows);
        _att.Ensure(rows);
        _hb.Ensure(rows);
        _hb2.Ensure(rows);
    }

    public void Dispose()
    {
        _group.Dispose();
    }
}
