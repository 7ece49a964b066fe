using System.Globalization;
using Dnet.Perf;

namespace Dnet.Analytics.Rendering;

/// <summary>Table cell formatting shared by the renderers: invariant culture, fixed decimals, <c>n/a</c> for undefined.</summary>
internal static class Cells
{
    public const string Missing = "n/a";

    public static string Ms(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : Missing;

    public static string Number(double? value, string format = "0.00") =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : Missing;

    public static string Count(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : Missing;

    public static string Percent(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) + "%" : Missing;

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : Missing;

    /// <summary>Markdown text from a request or a span (model, request id, node): escaped so it stays inert text.</summary>
    public static string Markdown(string? text) => MarkdownText.Escape(text, Missing);
}
