using System.Text.Json;

namespace Dnet.Inference.Tests.Reference;

/// <summary>
/// An independent Llama-family forward pass in plain C# (double precision, no TorchSharp, no engine code), written
/// from the HF modeling code: full recompute over the whole prompt, logits of the last position.
/// </summary>
sealed class ReferenceTransformer
{
    readonly ReferenceTensors _w;
    readonly JsonElement _c;
    readonly int _hidden, _heads, _kvHeads, _headDim, _layers, _vocab, _inter;
    readonly double _eps;
    readonly string _type;
    readonly double[] _invFreq;

    public ReferenceTransformer(string folder)
    {
        _c = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "config.json"))).RootElement;
        _w = new ReferenceTensors(Path.Combine(folder, "model.safetensors"));
        _hidden = Int("hidden_size");
        _heads = Int("num_attention_heads");
        _kvHeads = Int("num_key_value_heads");
        _headDim = _c.TryGetProperty("head_dim", out var hd) ? hd.GetInt32() : _hidden / _heads;
        _layers = Int("num_hidden_layers");
        _vocab = Int("vocab_size");
        _inter = Int("intermediate_size");
        _eps = _c.GetProperty("rms_norm_eps").GetDouble();
        _type = _c.GetProperty("model_type").GetString()!;
        _invFreq = InverseFrequencies();
    }

    int Int(string key) => _c.GetProperty(key).GetInt32();

    double[] InverseFrequencies()
    {
        double theta = _c.GetProperty("rope_theta").GetDouble();
        var inv = Enumerable.Range(0, _headDim / 2).Select(i => Math.Pow(theta, -2.0 * i / _headDim)).ToArray();
        if (!_c.TryGetProperty("rope_scaling", out var s) || s.ValueKind != JsonValueKind.Object)
        {
            return inv;
        }
        // HF _compute_llama3_parameters.
        double factor = s.GetProperty("factor").GetDouble(), low = s.GetProperty("low_freq_factor").GetDouble();
        double high = s.GetProperty("high_freq_factor").GetDouble(), old = s.GetProperty("original_max_position_embeddings").GetDouble();
        return [.. inv.Select(f =>
        {
            double wavelen = 2 * Math.PI / f;
            if (wavelen < old / high) return f;
            if (wavelen > old / low) return f / factor;
            double smooth = (old / wavelen - low) / (high - low);
            return (1 - smooth) * f / factor + smooth * f;
        })];
    }

    public float[] LastLogits(int[] tokens)
    {
        int n = tokens.Length;
        var embed = _w.Get("model.embed_tokens.weight");
        var x = new double[n][];
        for (int t = 0; t < n; t++)
        {
            x[t] = [.. embed.AsSpan(tokens[t] * _hidden, _hidden).ToArray().Select(v => (double)v)];
        }
        for (int l = 0; l < _layers; l++)
        {
            Layer(x, $"model.layers.{l}.");
        }
        var final = RmsNorm(x[n - 1], _w.Get("model.norm.weight"));
        string head = _w.Contains("lm_head.weight") ? "lm_head.weight" : "model.embed_tokens.weight";
        return [.. MatVec(_w.Get(head), final, _vocab).Select(v => (float)v)];
    }

    void Layer(double[][] x, string p)
    {
        int n = x.Length, group = _heads / _kvHeads;
        var q = new double[n][];
        var k = new double[n][];
        var v = new double[n][];
        bool bias = _type == "qwen2";
        for (int t = 0; t < n; t++)
        {
            var h = RmsNorm(x[t], _w.Get(p + "input_layernorm.weight"));
            q[t] = Project(p + "self_attn.q_proj", h, _heads * _headDim, bias);
            k[t] = Project(p + "self_attn.k_proj", h, _kvHeads * _headDim, bias);
            v[t] = Project(p + "self_attn.v_proj", h, _kvHeads * _headDim, bias);
            if (_type == "qwen3")
            {
                NormHeads(q[t], _w.Get(p + "self_attn.q_norm.weight"));
                NormHeads(k[t], _w.Get(p + "self_attn.k_norm.weight"));
            }
            Rotate(q[t], t);
            Rotate(k[t], t);
        }
        var oProj = _w.Get(p + "self_attn.o_proj.weight");
        for (int t = 0; t < n; t++)
        {
            var attended = new double[_heads * _headDim];
            for (int head = 0; head < _heads; head++)
            {
                int kvHead = head / group;
                var scores = new double[t + 1];
                for (int s = 0; s <= t; s++)
                {
                    double dot = 0;
                    for (int i = 0; i < _headDim; i++)
                    {
                        dot += q[t][head * _headDim + i] * k[s][kvHead * _headDim + i];
                    }
                    scores[s] = dot / Math.Sqrt(_headDim);
                }
                double max = scores.Max();
                double sum = scores.Sum(z => Math.Exp(z - max));
                for (int s = 0; s <= t; s++)
                {
                    double weight = Math.Exp(scores[s] - max) / sum;
                    for (int i = 0; i < _headDim; i++)
                    {
                        attended[head * _headDim + i] += weight * v[s][kvHead * _headDim + i];
                    }
                }
            }
            Add(x[t], MatVec(oProj, attended, _hidden));
        }
        var gate = _w.Get(p + "mlp.gate_proj.weight");
        var up = _w.Get(p + "mlp.up_proj.weight");
        var down = _w.Get(p + "mlp.down_proj.weight");
        for (int t = 0; t < n; t++)
        {
            var h = RmsNorm(x[t], _w.Get(p + "post_attention_layernorm.weight"));
            var g = MatVec(gate, h, _inter);
            var u = MatVec(up, h, _inter);
            var act = g.Select((z, i) => z / (1 + Math.Exp(-z)) * u[i]).ToArray();
            Add(x[t], MatVec(down, act, _hidden));
        }
    }

    double[] Project(string name, double[] h, int rows, bool bias)
    {
        var y = MatVec(_w.Get(name + ".weight"), h, rows);
        if (bias)
        {
            Add(y, [.. _w.Get(name + ".bias").Select(b => (double)b)]);
        }
        return y;
    }

    void NormHeads(double[] vector, float[] weight)
    {
        for (int head = 0; head < vector.Length / _headDim; head++)
        {
            var normed = RmsNorm(vector[(head * _headDim)..((head + 1) * _headDim)], weight);
            normed.CopyTo(vector, head * _headDim);
        }
    }

    /// <summary>HF rotate_half: element i pairs with i + head_dim/2.</summary>
    void Rotate(double[] vector, int position)
    {
        int half = _headDim / 2;
        for (int head = 0; head < vector.Length / _headDim; head++)
        {
            for (int i = 0; i < half; i++)
            {
                int a = head * _headDim + i, b = a + half;
                double angle = position * _invFreq[i];
                double x1 = vector[a], x2 = vector[b];
                vector[a] = x1 * Math.Cos(angle) - x2 * Math.Sin(angle);
                vector[b] = x2 * Math.Cos(angle) + x1 * Math.Sin(angle);
            }
        }
    }

    double[] RmsNorm(double[] x, float[] weight)
    {
        double rms = Math.Sqrt(x.Sum(z => z * z) / x.Length + _eps);
        return [.. x.Select((z, i) => z / rms * weight[i])];
    }

    static double[] MatVec(float[] matrix, double[] vector, int rows)
    {
        int cols = vector.Length;
        var y = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int c = 0; c < cols; c++)
            {
                sum += matrix[r * cols + c] * vector[c];
            }
            y[r] = sum;
        }
        return y;
    }

    static void Add(double[] target, double[] delta)
    {
        for (int i = 0; i < target.Length; i++)
        {
            target[i] += delta[i];
        }
    }
}
