using System.Diagnostics;
using System.Globalization;
using Dnet.Contracts.Tracing;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>Turns a finished <see cref="Activity"/> into the wire <see cref="ExportedSpan"/>.</summary>
internal static class ExportedSpanMapping
{
    private const long NanosecondsPerTick = 100;

    public static ExportedSpan From(Activity activity)
    {
        var attributes = new Dictionary<string, object?>();
        foreach (var (key, value) in activity.EnumerateTagObjects())
        {
            attributes[key] = WireValue(value);
        }

        return new ExportedSpan
        {
            TraceId = activity.TraceId.ToHexString(),
            SpanId = activity.SpanId.ToHexString(),
            ParentSpanId = activity.ParentSpanId == default ? null : activity.ParentSpanId.ToHexString(),
            Name = activity.OperationName,
            StartUnixNs = (activity.StartTimeUtc - DateTime.UnixEpoch).Ticks * NanosecondsPerTick,
            DurationNs = activity.Duration.Ticks * NanosecondsPerTick,
            Status = activity.Status switch
            {
                ActivityStatusCode.Ok => SpanStatusCode.Ok,
                ActivityStatusCode.Error => SpanStatusCode.Error,
                _ => SpanStatusCode.Unset,
            },
            StatusDescription = activity.StatusDescription,
            Attributes = attributes,
        };
    }

    /// <summary>
    /// Narrows an attribute value to what the wire schema allows (string, long, double, bool, arrays of those);
    /// anything else travels as its invariant text. Non-finite doubles have no JSON number form either.
    /// </summary>
    private static object? WireValue(object? value) => value switch
    {
        null or string or bool or long or string[] or bool[] or long[] => value,
        int or short or sbyte or byte or ushort or uint => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        double d => Finite(d),
        float f => Finite(f),
        decimal m => (double)m,
        int[] ints => Array.ConvertAll(ints, i => (long)i),
        double[] doubles when doubles.All(double.IsFinite) => doubles,
        float[] floats when floats.All(float.IsFinite) => Array.ConvertAll(floats, f => (double)f),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static object Finite(double value) =>
        double.IsFinite(value) ? value : value.ToString(CultureInfo.InvariantCulture);
}
