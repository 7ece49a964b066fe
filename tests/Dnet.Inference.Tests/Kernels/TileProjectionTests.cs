using Dnet.Inference.Kernels;
using Dnet.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Dnet.Inference.Tests.Kernels;

/// <summary>
/// Products on the AMX tiles (<see cref="TileProjection"/>) against an exact sum of the same bf16 inputs, against Dnet's
/// float32 kernel, and against themselves in other batches and on other thread counts (bit for bit).
/// </summary>
[TestClass]
public sealed unsafe class TileProjectionTests
{
    [TestMethod]
    [DataRow(1, new[] { 576, 192, 192 }, 576)] // q|k|v of one decode row: three parts, 64-row blocks only
    [DataRow(17, new[] { 80 }, 96)]            // one 64-row block and a 16-row block; two groups, the second padded
    [DataRow(67, new[] { 1536, 1536 }, 576)]  // gate|up of a prompt chunk
    [DataRow(5, new[] { 576 }, 1536)]         // down_proj: the long reduction
    [DataRow(32, new[] { 576, 192, 192 }, 576)] // one pair of full groups
    [DataRow(48, new[] { 80, 64 }, 96)]       // a pair and an odd full group; a part of five tiles (an odd one)
    public void TheTilesSumTheBf16ProductsOfEveryRowAndColumn(int m, int[] parts, int k)
    {
        TilesRequired();
        using var data = new TileData(m, parts, k, seed: m + k);
        float[] tiles = data.Run(new WorkerGroup(2), m);
        float[] kernel = data.Kernel(m);
        int n = parts.Sum();
        for (int r = 0; r < m; r++)
        {
            for (int c = 0; c < n; c++)
            {
                double exact = 0, magnitude = 0;
                for (int i = 0; i < k; i++)
                {
                    double product = (double)Bf16.Round(data.X[r * k + i]) * data.WeightAt(c, i);
                    exact += product;
                    magnitude += Math.Abs(product);
                }
                int at = r * n + c;
                // float32 accumulation over k terms: k·2^-24 of Σ|x·w| bounds the rounding; a packing slip breaks it by far.
                Assert.IsLessThanOrEqualTo(k * Math.Pow(2, -24) * magnitude + 1e-6, Math.Abs(tiles[at] - exact), $"row {r} column {c}");
                // Against the kernel, which does not round x: 2^-8 of Σ|x·w| covers x's rounding.
                Assert.IsLessThanOrEqualTo(Math.Pow(2, -8) * magnitude + 1e-6, Math.Abs(tiles[at] - kernel[at]), $"kernel, row {r} column {c}");
            }
        }
    }

    [TestMethod]
    public void ARowsResultIsTheSameAloneInABatchAndOnAnyThreadCount()
    {
        TilesRequired();
        const int m = 37;
        using var data = new TileData(m, [576, 192, 192], 576, seed: 7);
        float[] batch = data.Run(new WorkerGroup(2), m);
        float[] oneThread = data.Run(new WorkerGroup(1), m);
        CollectionAssert.AreEqual(batch, oneThread, "1 thread vs 2");
        int n = data.Columns;
        foreach (int row in new[] { 0, 15, 16, 36 })
        {
            float[] alone = data.Run(new WorkerGroup(2), 1, firstRow: row);
            CollectionAssert.AreEqual(batch[(row * n)..((row + 1) * n)], alone, $"row {row} alone and at its place in {m}");
        }
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(17)] // a full group paired with a group of one row
    [DataRow(37)] // a full pair, then a group of five rows alone
    [DataRow(67)]
    public void TheTilesWriteOnlyTheRowsAndColumnsAsked(int m)
    {
        TilesRequired();
        using var data = new TileData(m, [80, 64, 192], 96, seed: m);
        float[] expected = data.Run(new WorkerGroup(2), m);
        int n = data.Columns, ldy = n + 24, rows = m + 16;
        // The tiles store whole 16-row tiles where they can: around the product y holds NaN, which must stay.
        var y = Enumerable.Repeat(float.NaN, rows * ldy).ToArray();
        using (var group = new WorkerGroup(2))
        {
            fixed (float* x = data.X, yp = y)
            {
                new TileProjection(group).Run(data.Fused, x, m, yp, ldy);
            }
        }
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < ldy; c++)
            {
                float value = y[r * ldy + c];
                if (r < m && c < n)
                {
                    Assert.AreEqual(expected[r * n + c], value, $"row {r} column {c}");
                }
                else
                {
                    Assert.IsTrue(float.IsNaN(value), $"row {r} column {c} is outside the product but holds {value}");
                }
            }
        }
    }

    [TestMethod]
    public void AWeightTheTilesCannotHoldStaysOnTheKernel()
    {
        using var data = new TileData(1, [72], 64, seed: 1); // 72 rows: not a multiple of 16
        Assert.IsNull(data.Fused.Tiles);
        using var odd = new TileData(1, [64], 48, seed: 1); // 48 columns: not a multiple of 32
        Assert.IsNull(odd.Fused.Tiles);
    }

    [TestMethod]
    public void TheCpuFlagsAgreeWithProcCpuinfo()
    {
        if (!File.Exists("/proc/cpuinfo"))
        {
            Assert.Inconclusive("no /proc/cpuinfo on this system");
        }
        string[] flags = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("flags", StringComparison.Ordinal)).Split(' ');
        // The tile state may still be refused by the OS, so the flags are necessary, not sufficient.
        if (TileCode.IsSupported)
        {
            CollectionAssert.IsSubsetOf(new[] { "amx_bf16", "amx_tile" }, flags);
        }
        else if (flags.Contains("amx_bf16") && flags.Contains("amx_tile"))
        {
            Assert.Inconclusive("the CPU lists AMX but this process was not granted the tile state");
        }
    }

    internal static void TilesRequired()
    {
        if (!TileCode.IsSupported)
        {
            Assert.Inconclusive("no AMX-BF16 tiles here (CPU, OS or architecture)");
        }
    }

    /// <summary>Random bf16 weights (in parts, as q|k|v are) and float activations, with both products over them.</summary>
    sealed class TileData : IDisposable
    {
        readonly Tensor[] _parts;

        public TileData(int m, int[] parts, int k, int seed)
        {
            torch.manual_seed(seed);
            _parts = [.. parts.Select(n => torch.randn(n, k).to(ScalarType.BFloat16))];
            using var x = torch.randn(m + 36, k); // spare rows so that any row can run alone
            X = x.data<float>().ToArray();
            K = k;
            Fused = new FusedWeight([.. _parts.Select(p => new Weight(Address(p), (int)p.shape[0], k, ComputeDtype.BFloat16))]);
            Fused.Tile();
        }

        public float[] X { get; }

        static byte* Address(Tensor t)
        {
            fixed (byte* p = t.bytes)
            {
                return p; // native tensor memory: does not move
            }
        }

        public int K { get; }

        public FusedWeight Fused { get; }

        public int Columns => Fused.Rows;

        public double WeightAt(int column, int i)
        {
            foreach (var part in Fused.Parts)
            {
                if (column < part.Rows)
                {
                    return part[column, i];
                }
                column -= part.Rows;
            }
            throw new ArgumentOutOfRangeException(nameof(column));
        }

        public float[] Run(WorkerGroup group, int m, int firstRow = 0)
        {
            using (group)
            {
                var y = new float[m * Columns];
                fixed (float* x = X, yp = y)
                {
                    new TileProjection(group).Run(Fused, x + firstRow * K, m, yp, Columns);
                }
                return y;
            }
        }

        public float[] Kernel(int m)
        {
            var y = new float[m * Columns];
            using var group = new WorkerGroup(2);
            fixed (float* x = X, yp = y)
            {
                new Projection(group, MatMul.Best).Run(Fused, x, m, yp, Columns);
            }
            return y;
        }

        public void Dispose()
        {
            Fused.Untile();
            foreach (var p in _parts)
            {
                p.Dispose();
            }
        }
    }
}
