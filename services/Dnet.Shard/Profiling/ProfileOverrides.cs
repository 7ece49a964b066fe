using System.Globalization;

namespace Dnet.Shard.Profiling;

/// <summary>
/// Configured values that replace measured ones (<c>Dnet:Profile:*</c>), to simulate a heterogeneous cluster on one
/// machine. A field that is overridden is not measured at all.
/// </summary>
public sealed record ProfileOverrides(long? UsableMemoryBytes, double? Gflops, double? MemoryBandwidthGbps, double? DiskReadGbps)
{
    public const string Section = "Dnet:Profile";

    public static ProfileOverrides From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        return new ProfileOverrides(
            Parse(section, "UsableMemoryBytes", text => long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)),
            Parse(section, "Gflops", ParseDouble),
            Parse(section, "MemoryBandwidthGbps", ParseDouble),
            Parse(section, "DiskReadGbps", ParseDouble));
    }

    /// <summary>The DeviceProfile field names (as in shard.proto) that come from configuration.</summary>
    public IReadOnlyList<string> FieldNames =>
    [
        .. UsableMemoryBytes is null ? Array.Empty<string>() : ["usable_memory_bytes"],
        .. Gflops is null ? Array.Empty<string>() : ["gflops"],
        .. MemoryBandwidthGbps is null ? Array.Empty<string>() : ["memory_bandwidth_gbps"],
        .. DiskReadGbps is null ? Array.Empty<string>() : ["disk_read_gbps"],
    ];

    private static double ParseDouble(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static T? Parse<T>(IConfigurationSection section, string key, Func<string, T> parse) where T : struct, IComparable<T>
    {
        string? text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        try
        {
            var value = parse(text);
            return value.CompareTo(default) > 0 ? value : throw new FormatException("must be positive");
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new InvalidOperationException($"{Section}:{key} = '{text}' is not a positive number: {e.Message}", e);
        }
    }
}
