using System.Runtime.Intrinsics.X86;

namespace Dnet.Inference.Kernels;

/// <summary>
/// Whether this CPU multiplies bf16 matrices in hardware: AMX tiles (AMX-BF16) or AVX512-BF16 dot products. .NET has
/// intrinsics for neither, but libtorch's oneDNN uses them, at several times the rate of float32 FMAs.
/// </summary>
public static class MatrixUnits
{
    /// <summary>AMX-BF16 (CPUID leaf 7 sub-leaf 0, EDX bit 22) or AVX512-BF16 (leaf 7 sub-leaf 1, EAX bit 5).</summary>
    public static bool HasBf16 { get; } = Detect();

    static bool Detect()
    {
        if (!X86Base.IsSupported || X86Base.CpuId(0, 0).Eax < 7)
        {
            return false;
        }
        bool amxBf16 = (X86Base.CpuId(7, 0).Edx & (1 << 22)) != 0;
        bool avx512Bf16 = (X86Base.CpuId(7, 1).Eax & (1 << 5)) != 0;
        return amxBf16 || avx512Bf16;
    }
}
