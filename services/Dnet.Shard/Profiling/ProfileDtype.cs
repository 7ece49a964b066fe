namespace Dnet.Shard.Profiling;

/// <summary>The compute dtype a profile is measured for: <c>bf16</c> (default) or <c>f32</c>.</summary>
public static class ProfileDtype
{
    public const string BFloat16 = "bf16";
    public const string Float32 = "f32";

    public static string Normalize(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" or "bf16" or "bfloat16" => BFloat16,
        "f32" or "float32" => Float32,
        _ => throw new ArgumentException($"compute dtype must be bf16 or f32, got '{name}'", nameof(name)),
    };
}
