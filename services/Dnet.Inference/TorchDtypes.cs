using Dnet.Models;
using TorchSharp;

namespace Dnet.Inference;

/// <summary>TorchSharp scalar types of the model's dtypes (kept here so that Dnet.Models stays free of libtorch).</summary>
public static class TorchDtypes
{
    /// <summary>The TorchSharp scalar type the engine computes in.</summary>
    public static torch.ScalarType ToScalarType(this ComputeDtype dtype) =>
        dtype == ComputeDtype.Float32 ? torch.ScalarType.Float32 : torch.ScalarType.BFloat16;

    /// <summary>The TorchSharp scalar type of a checkpoint tensor.</summary>
    public static torch.ScalarType ToScalarType(this TensorDtype dtype) => dtype switch
    {
        TensorDtype.Float32 => torch.ScalarType.Float32,
        TensorDtype.BFloat16 => torch.ScalarType.BFloat16,
        _ => torch.ScalarType.Float16,
    };
}
