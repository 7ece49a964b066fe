using Dnet.Inference.Kernels;
using Dnet.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Dnet.Inference.Tests.Kernels;

/// <summary>
/// The SIMD matrix product against libtorch, and its determinism: a row's bits must not depend on the other rows,
/// on how many rows there are, on the thread count, or on the SIMD width.
/// </summary>
[TestClass]
public sealed unsafe class KernelTests
{
    static SimdLevel[] Levels =>
        MatMul.Best == SimdLevel.Vector512 ? [SimdLevel.Scalar, SimdLevel.Vector256, SimdLevel.Vector512]
        : MatMul.Best == SimdLevel.Vector256 ? [SimdLevel.Scalar, SimdLevel.Vector256]
        : [SimdLevel.Scalar];

    /// <summary>Weights [n, k] and activations [m, k] from a seeded generator, with bf16 weights exactly representable.</summary>
    sealed class Problem : IDisposable
    {
        readonly Tensor _weights;

        public Problem(int m, int n, int k, ComputeDtype dtype, int seed = 1)
        {
            M = m;
            N = n;
            K = k;
            Dtype = dtype;
            torch.manual_seed(seed);
            _weights = torch.randn(n, k).to(dtype.ToScalarType());
            X = torch.randn(m, k).data<float>().ToArray();
            WeightsF32 = _weights.to(ScalarType.Float32);
        }

        public int M { get; }
        public int N { get; }
        public int K { get; }
        public ComputeDtype Dtype { get; }
        public float[] X { get; }
        public Tensor WeightsF32 { get; }

        public Weight Weight
        {
            get
            {
                fixed (byte* p = _weights.bytes)
                {
                    return new Weight(p, N, K, Dtype);
                }
            }
        }

        public float[] Run(SimdLevel level, int threads, int rows = -1, int firstRow = 0)
        {
            rows = rows < 0 ? M : rows;
            var y = new float[rows * N];
            using var group = new WorkerGroup(threads);
            var projection = new Projection(group, level);
            fixed (float* x = X, yp = y)
            {
                projection.Run(new FusedWeight(Weight), x + firstRow * K, rows, yp, N);
            }
            return y;
        }

        /// <summary>torch's f32 linear on the (widened) weights, and Σ|x·w| per element for the error bound.</summary>
        public (float[] Expected, float[] Magnitude) Torch()
        {
            var x = torch.tensor(X, [M, K]);
            var expected = torch.nn.functional.linear(x, WeightsF32).data<float>().ToArray();
            var magnitude = torch.nn.functional.linear(x.abs(), WeightsF32.abs()).data<float>().ToArray();
            return (expected, magnitude);
        }

        public void Dispose()
        {
            _weights.Dispose();
            WeightsF32.Dispose();
        }
    }

    [TestMethod]
    [DataRow(1, 13, 37)]
    [DataRow(3, 67, 100)]
    [DataRow(5, 130, 576)]
    [DataRow(17, 29, 1536)]
    [DataRow(33, 7, 15)]
    public void MatchesTorchLinear(int m, int n, int k)
    {
        foreach (var dtype in new[] { ComputeDtype.Float32, ComputeDtype.BFloat16 })
        {
            using var problem = new Problem(m, n, k, dtype);
            var (expected, magnitude) = problem.Torch();
            var actual = problem.Run(MatMul.Best, threads: 2);
            for (int i = 0; i < expected.Length; i++)
            {
                // Two f32 summation orders of k products differ by at most ~k·eps·Σ|x·w|; 1e-5 is far inside that yet far below any real error.
                double bound = 1e-5 * magnitude[i] + 1e-6;
                Assert.IsLessThanOrEqualTo(bound, Math.Abs(expected[i] - actual[i]), $"{dtype} m={m} n={n} k={k} element {i}");
            }
        }
    }

    [TestMethod]
    public void EverySimdWidthGivesTheSameBits()
    {
        foreach (var dtype in new[] { ComputeDtype.Float32, ComputeDtype.BFloat16 })
        {
            using var problem = new Problem(6, 23, 83, dtype, seed: 2);
            var reference = problem.Run(SimdLevel.Scalar, threads: 1);
            foreach (var level in Levels)
            {
                CollectionAssert.AreEqual(reference, problem.Run(level, threads: 1), $"{dtype} {level}");
            }
        }
    }

    [TestMethod]
    public void ARowsBitsDoNotDependOnTheOtherRowsOrThreads()
    {
        foreach (var dtype in new[] { ComputeDtype.Float32, ComputeDtype.BFloat16 })
        {
            using var problem = new Problem(37, 45, 147, dtype, seed: 3);
            var all = problem.Run(MatMul.Best, threads: 3);
            for (int row = 0; row < problem.M; row += 5)
            {
                // Alone, and as row 0, 2 or 4 of 1-, 3-, 5- and 9-row batches (4x4 tiles, 1x4 and 1x1 remainders).
                foreach (var (first, rows) in new[] { (row, 1), (Math.Max(0, row - 2), 3), (Math.Max(0, row - 4), 5), (Math.Max(0, row - 4), 9) })
                {
                    if (first + rows > problem.M)
                    {
                        continue;
                    }
                    var part = problem.Run(MatMul.Best, threads: 1 + row % 3, rows, first);
                    int at = row - first;
                    CollectionAssert.AreEqual(all.AsSpan(row * problem.N, problem.N).ToArray(), part.AsSpan(at * problem.N, problem.N).ToArray(),
                        $"{dtype}: row {row} as row {at} of {rows}");
                }
            }
        }
    }

    [TestMethod]
    public void FusedPartsEqualSeparateProducts()
    {
        using var q = new Problem(3, 20, 64, ComputeDtype.BFloat16, seed: 4);
        using var k = new Problem(3, 9, 64, ComputeDtype.BFloat16, seed: 5);
        var y = new float[3 * 29];
        using var group = new WorkerGroup(2);
        var projection = new Projection(group, MatMul.Best);
        fixed (float* x = q.X, yp = y)
        {
            projection.Run(new FusedWeight(q.Weight, k.Weight), x, 3, yp, 29);
        }
        var alone = q.Run(MatMul.Best, 1);
        var kAlone = new float[3 * 9];
        fixed (float* x = q.X, yp = kAlone)
        {
            projection.Run(new FusedWeight(k.Weight), x, 3, yp, 9);
        }
        for (int r = 0; r < 3; r++)
        {
            CollectionAssert.AreEqual(alone.AsSpan(r * 20, 20).ToArray(), y.AsSpan(r * 29, 20).ToArray());
            CollectionAssert.AreEqual(kAlone.AsSpan(r * 9, 9).ToArray(), y.AsSpan(r * 29 + 20, 9).ToArray());
        }
    }

    [TestMethod]
    public void Bf16RoundsToNearestEvenLikeTorch()
    {
        torch.manual_seed(6);
        var values = torch.cat([torch.randn(1000) * 1e3, torch.tensor(new[] { 0f, -0f, 1e-40f, float.MaxValue, float.PositiveInfinity, float.NegativeInfinity })]);
        var expected = values.to(ScalarType.BFloat16).to(ScalarType.Float32).data<float>().ToArray();
        var input = values.data<float>().ToArray();
        for (int i = 0; i < input.Length; i++)
        {
            Assert.AreEqual(BitConverter.SingleToUInt32Bits(expected[i]), BitConverter.SingleToUInt32Bits(Bf16.Round(input[i])), $"{input[i]}");
        }
    }
}
