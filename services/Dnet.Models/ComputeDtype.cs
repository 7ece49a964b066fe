namespace Dnet.Inference.Model;

/// <summary>Element type the engine computes in and sends activations as.</summary>
public enum ComputeDtype
{
    /// <summary>bfloat16: the fast path on CPUs with AVX-512 bf16 (the default).</summary>
    BFloat16,

    /// <summary>float32: exact path, used by the tests.</summary>
    Float32,
}

/// <summary>TorchSharp mapping of <see cref="ComputeDtype"/>.</summary>
public static class ComputeDtypes
{
    /// <summary>The TorchSharp scalar type.</summary>
    public static TorchSharp.torch.ScalarType ToScalarType(this ComputeDtype dtype) =>
        dtype == ComputeDtype.Float32 ? TorchSharp.torch.ScalarType.Float32 : TorchSharp.torch.ScalarType.BFloat16;

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this ComputeDtype dtype) => dtype == ComputeDtype.Float32 ? 4 : 2;
}
