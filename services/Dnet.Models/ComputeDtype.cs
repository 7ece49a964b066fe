namespace Dnet.Models;

/// <summary>Element type the engine computes in and sends activations as.</summary>
public enum ComputeDtype
{
    /// <summary>bfloat16: the fast path on CPUs with AVX-512 bf16 (the default).</summary>
    BFloat16,

    /// <summary>float32: exact path, used by the tests.</summary>
    Float32,
}

/// <summary>Names and sizes of <see cref="ComputeDtype"/>.</summary>
public static class ComputeDtypes
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this ComputeDtype dtype) => dtype == ComputeDtype.Float32 ? 4 : 2;

    /// <summary>The name shards load slices with: <c>bf16</c> or <c>f32</c>.</summary>
    public static string Name(this ComputeDtype dtype) => dtype == ComputeDtype.Float32 ? "f32" : "bf16";

    /// <summary>
    /// The dtype a name (bf16, f32, or a torch_dtype such as bfloat16) stands for, or null when it is not one; float16
    /// maps to bf16 because the engine converts fp16 weights (fp16 matmul on CPU is very slow).
    /// </summary>
    public static ComputeDtype? FromName(string? name) => name?.ToLowerInvariant() switch
    {
        "bf16" or "bfloat16" or "f16" or "fp16" or "float16" => ComputeDtype.BFloat16,
        "f32" or "fp32" or "float32" or "float" => ComputeDtype.Float32,
        _ => null,
    };
}
