namespace Dnet.Planner.Model;

/// <summary>The dtype shards compute and send activations in: <c>bf16</c> or <c>f32</c> (the shards' LoadSlice names).</summary>
public static class ComputeDtype
{
    public const string BFloat16 = "bf16";
    public const string Float32 = "f32";

    /// <summary>
    /// Normalizes a dtype name; float16 maps to bf16 because the engine converts fp16 weights (fp16 matmul on CPU is
    /// very slow). Null when the name is not a dtype.
    /// </summary>
    public static string? Normalize(string? name) => name?.ToLowerInvariant() switch
    {
        "bf16" or "bfloat16" or "f16" or "fp16" or "float16" => BFloat16,
        "f32" or "fp32" or "float32" or "float" => Float32,
        _ => null,
    };

    public static int ElementBytes(string dtype) => dtype == Float32 ? 4 : 2;
}
