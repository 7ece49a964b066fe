using Dnet.Inference.Kernels;
using Dnet.Inference.Model;
using Dnet.Models;

namespace Dnet.Inference.Tests;

/// <summary>
/// Attention reads three query heads of a kv head in one pass where it can; every score and output element must be
/// the same chain of operations as one head at a time, so grouping changes no bit (else a model's output would depend
/// on its head layout in a way no reference can see).
/// </summary>
[TestClass]
public sealed unsafe class AttentionTests
{
    [TestMethod]
    [DataRow(6, 2, ComputeDtype.BFloat16)]  // three query heads per kv head: every head in a group of three
    [DataRow(4, 1, ComputeDtype.BFloat16)]  // four: a group of three, then one alone
    [DataRow(6, 2, ComputeDtype.Float32)]
    public void ThreeHeadsInOnePassEqualOneHeadAtATime(int heads, int kvHeads, ComputeDtype dtype)
    {
        const int headDim = 64, capacity = 64, layer = 0;
        var config = new ModelConfig
        {
            ModelType = "llama",
            HiddenSize = heads * headDim,
            IntermediateSize = 128,
            NumHiddenLayers = 1,
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = headDim,
            VocabSize = 16,
        };
        var random = new Random(heads * 31 + kvHeads);
        using var first = new SequenceKv("a", 1, kvHeads, capacity, headDim, dtype);
        using var second = new SequenceKv("b", 1, kvHeads, capacity, headDim, dtype);
        foreach (var kv in new[] { first, second })
        {
            for (int h = 0; h < kvHeads; h++)
            {
                Fill(kv.Keys(layer, h), capacity * headDim, dtype, random);
                Fill(kv.Values(layer, h), capacity * headDim, dtype, random);
            }
        }

        // Rows of two sequences at lengths with and without a tail of keys past a multiple of four.
        (SequenceKv Kv, int Position)[] rowsAt = [(first, 0), (first, 6), (first, 37), (second, 3), (second, 63)];
        var rows = new BatchRows();
        rows.Reset(rowsAt.Length);
        rows.AddStep(0, rowsAt.Length);
        for (int r = 0; r < rowsAt.Length; r++)
        {
            rows.Kv[r] = rowsAt[r].Kv;
            rows.Position[r] = rowsAt[r].Position;
        }
        int qkvWidth = (heads + 2 * kvHeads) * headDim;
        float[] qkv = [.. Enumerable.Range(0, rowsAt.Length * qkvWidth).Select(_ => (float)(random.NextDouble() * 2 - 1))];

        float[] grouped = Run(groupsHeads: true), alone = Run(groupsHeads: false);
        CollectionAssert.AreEqual(alone, grouped);
        Assert.IsTrue(grouped.All(float.IsFinite));

        float[] Run(bool groupsHeads)
        {
            using var group = new WorkerGroup(2);
            var attention = new Attention(group, MatMul.Best, config, capacity) { GroupsHeads = groupsHeads };
            var output = new float[rowsAt.Length * heads * headDim];
            fixed (float* q = qkv, o = output)
            {
                attention.Run(rows, layer, q, qkvWidth, o);
            }
            return output;
        }
    }

    static void Fill(byte* target, int count, ComputeDtype dtype, Random random)
    {
        for (int i = 0; i < count; i++)
        {
            float value = (float)(random.NextDouble() * 2 - 1);
            if (dtype == ComputeDtype.Float32)
            {
                ((float*)target)[i] = value;
            }
            else
            {
                ((ushort*)target)[i] = Bf16.FromFloat(value);
            }
        }
    }
}
