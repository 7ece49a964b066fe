namespace Dnet.Models;

/// <summary>Element types a checkpoint tensor may be stored in (safetensors names F32, BF16, F16).</summary>
public enum TensorDtype
{
    /// <summary>IEEE 754 single precision.</summary>
    Float32,

    /// <summary>bfloat16: the top half of a float32.</summary>
    BFloat16,

    /// <summary>IEEE 754 half precision.</summary>
    Float16,
}

/// <summary>Safetensors names and sizes of <see cref="TensorDtype"/>.</summary>
public static class TensorDtypes
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this TensorDtype dtype) => dtype == TensorDtype.Float32 ? 4 : 2;

    /// <summary>The dtype string used in safetensors headers.</summary>
    public static string SafetensorsName(this TensorDtype dtype) => dtype switch
    {
        TensorDtype.Float32 => "F32",
        TensorDtype.BFloat16 => "BF16",
        _ => "F16",
    };

    /// <summary>The <c>torch_dtype</c> written to config.json.</summary>
    public static string TorchDtypeName(this TensorDtype dtype) => dtype switch
    {
        TensorDtype.Float32 => "float32",
        TensorDtype.BFloat16 => "bfloat16",
        _ => "float16",
    };

    /// <summary>Parses a safetensors dtype string; false for types the engine does not load.</summary>
    public static bool TryParse(string name, out TensorDtype dtype)
    {
        (bool ok, dtype) = name switch
        {
            "F32" => (true, TensorDtype.Float32),
            "BF16" => (true, TensorDtype.BFloat16),
            "F16" => (true, TensorDtype.Float16),
            _ => (false, TensorDtype.Float32),
        };
        return ok;
    }
}
