using System.Globalization;

namespace Dnet.Perf;

/// <summary>Number and time formatting shared by the renderers (invariant culture, fixed decimals).</summary>
internal static class Units
{
    public const string Missing = "n/a";

    public static string Ms(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    public static string Ms(double? value) => value is { } v ? Ms(v) : Missing;

    public static string Percent(double? value) =>
        value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) + "%" : Missing;

    public static string Number(double? value, string format = "0.00") =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : Missing;

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : Missing;

    public static string Summary(AnnotateHeader header) =>
        $"scope: {header.Scope} | {header.SpanCount} spans | {Time(header.From)} .. {Time(header.To)} | "
        + $"wall {Ms(header.WallMs)} ms ({header.WallBasis}) | percentiles: {header.PercentileMethod}";

    public static string Method(AnnotateHeader header) =>
        $"{header.SelfTimeRule} | sorted by {header.Sort.ToString().ToLowerInvariant()}"
        + (header.ExcludeWait ? " | .wait frames excluded" : " | W = idle .wait frame");
}
