using Dnet.Models;

namespace Dnet.ModelGeneration;

/// <summary>One tensor to generate: name, shape and the normal distribution its elements are drawn from.</summary>
sealed record TensorPlan(string Name, long[] Shape, double Mean, double Std)
{
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The tensors of a Llama-family checkpoint for <paramref name="spec"/>, in file order.</summary>
    public static IReadOnlyList<TensorPlan> For(GeneratedModelSpec spec)
    {
        int hidden = spec.HiddenSize, hd = spec.ResolvedHeadDim;
        int q = spec.NumHeads * hd, kv = spec.NumKvHeads * hd;
        // Fan-in scaled projections keep activations near unit scale; output projections are further divided by
        // sqrt(2 * layers) so the residual stream does not grow with depth. Norm weights are jittered around 1
        // (not exactly 1) so a forward pass that forgot to apply them would not match the reference.
        double inStd = 1 / Math.Sqrt(hidden), depth = Math.Sqrt(2.0 * spec.NumLayers);
        var plans = new List<TensorPlan> { new("model.embed_tokens.weight", [spec.VocabSize, hidden], 0, 0.02) };
        for (int i = 0; i < spec.NumLayers; i++)
        {
            string p = $"model.layers.{i}.";
            plans.Add(new(p + "input_layernorm.weight", [hidden], 1, 0.1));
            plans.Add(new(p + "self_attn.q_proj.weight", [q, hidden], 0, inStd));
            plans.Add(new(p + "self_attn.k_proj.weight", [kv, hidden], 0, inStd));
            plans.Add(new(p + "self_attn.v_proj.weight", [kv, hidden], 0, inStd));
            if (spec.ModelType == "qwen2")
            {
                plans.Add(new(p + "self_attn.q_proj.bias", [q], 0, 0.1));
                plans.Add(new(p + "self_attn.k_proj.bias", [kv], 0, 0.1));
                plans.Add(new(p + "self_attn.v_proj.bias", [kv], 0, 0.1));
            }
            if (spec.ModelType == "qwen3")
            {
                plans.Add(new(p + "self_attn.q_norm.weight", [hd], 1, 0.1));
                plans.Add(new(p + "self_attn.k_norm.weight", [hd], 1, 0.1));
            }
            plans.Add(new(p + "self_attn.o_proj.weight", [hidden, q], 0, 1 / Math.Sqrt(q) / depth));
            plans.Add(new(p + "post_attention_layernorm.weight", [hidden], 1, 0.1));
            plans.Add(new(p + "mlp.gate_proj.weight", [spec.IntermediateSize, hidden], 0, inStd));
            plans.Add(new(p + "mlp.up_proj.weight", [spec.IntermediateSize, hidden], 0, inStd));
            plans.Add(new(p + "mlp.down_proj.weight", [hidden, spec.IntermediateSize], 0, 1 / Math.Sqrt(spec.IntermediateSize) / depth));
        }
        plans.Add(new("model.norm.weight", [hidden], 1, 0.1));
        if (!spec.TieWordEmbeddings)
        {
            plans.Add(new("lm_head.weight", [spec.VocabSize, hidden], 0, inStd));
        }
        return plans;
    }
}
