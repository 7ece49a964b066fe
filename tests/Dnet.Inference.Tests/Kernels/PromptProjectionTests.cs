using Dnet.Inference.Kernels;
using Dnet.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Dnet.Inference.Tests.Kernels;

/// <summary>
/// Prompt-chunk products on the CPU's bf16 matrix units (libtorch's oneDNN) against Dnet's float32 kernel on
/// dnet-bench-135m's real shapes: equal within bf16 rounding of the inputs and outputs, and the same bits on every call
/// with the same chunk.
/// </summary>
[TestClass]
public sealed unsafe class PromptProjectionTests
{
    [TestMethod]
    [DataRow(67, 960, 576)]   // q|k|v of a 67-token prompt
    [DataRow(128, 3072, 576)] // gate|up of a full chunk
    [DataRow(128, 576, 1536)] // down_proj: the long reduction
    [DataRow(3, 576, 576)]    // o_proj of a short prompt
    public void AChunksProductIsTheKernelsWithinBf16RoundingAndRepeatsBitForBit(int m, int n, int k)
    {
        MatrixUnitsRequired();
        torch.manual_seed(m + n + k);
        using var weights = torch.randn(n, k).to(ScalarType.BFloat16);
        using var xTensor = torch.randn(m, k);
        float[] x = xTensor.data<float>().ToArray();
        using var magnitudeTensor = torch.nn.functional.linear(xTensor.abs(), weights.abs().to(ScalarType.Float32));
        float[] magnitude = magnitudeTensor.data<float>().ToArray();
        Weight weight;
        fixed (byte* p = weights.bytes)
        {
            weight = new Weight(p, n, k, ComputeDtype.BFloat16); // native tensor memory: does not move
        }
        var fused = new FusedWeight(weight);

        var kernel = new float[m * n];
        var units = new float[m * n];
        var again = new float[m * n];
        using var group = new WorkerGroup(2);
        using var prompt = new PromptProjection();
        fixed (float* xp = x, kp = kernel, up = units, ap = again)
        {
            new Projection(group, MatMul.Best).Run(fused, xp, m, kp, n);
            prompt.Run(fused, xp, m, up, n);
            prompt.Run(fused, xp, m, ap, n);
        }

        for (int i = 0; i < kernel.Length; i++)
        {
            // x rounded to bf16 (2^-9 relative each) and the sum rounded to bf16 (2^-9 of it): 2^-8 of Σ|x·w| covers both.
            double bound = Math.Pow(2, -8) * magnitude[i] + 1e-6;
            Assert.IsLessThanOrEqualTo(bound, Math.Abs(kernel[i] - units[i]), $"m={m} n={n} k={k} element {i}");
        }
        Assert.IsTrue(kernel.Zip(units).Any(p => p.First != p.Second), "a different path: some bits differ");
        CollectionAssert.AreEqual(units, again, "the same chunk twice");
    }

    [TestMethod]
    public void TheCpuFlagsAgreeWithProcCpuinfo()
    {
        if (!File.Exists("/proc/cpuinfo"))
        {
            Assert.Inconclusive("no /proc/cpuinfo on this system");
        }
        string flags = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("flags", StringComparison.Ordinal));
        bool listed = flags.Split(' ').Any(f => f is "amx_bf16" or "avx512_bf16");
        Assert.AreEqual(listed, MatrixUnits.HasBf16);
    }

    [TestMethod]
    public void AProductRunsOnOneOpenMpThreadAndTheCallersCountComesBack()
    {
        // libtorch on Linux is built with OpenMP; without these functions a product would use libtorch's whole count.
        Assert.IsTrue(OpenMpThreads.Available, "omp_set_num_threads / omp_get_max_threads not found through libtorch_cpu");
        int before = OpenMpThreads.Set(13);
        try
        {
            Assert.AreEqual(13, OpenMpThreads.Set(13), "the calling thread's count");
            int[] elsewhere = new int[1];
            var thread = new Thread(() => elsewhere[0] = OpenMpThreads.Set(1));
            thread.Start();
            thread.Join();
            Assert.AreNotEqual(13, elsewhere[0], "another thread keeps its own count");
        }
        finally
        {
            OpenMpThreads.Set(before);
        }
    }

    internal static void MatrixUnitsRequired()
    {
        if (!MatrixUnits.HasBf16)
        {
            Assert.Inconclusive("this CPU has no bf16 matrix units (AMX-BF16 or AVX512-BF16)");
        }
    }
}
