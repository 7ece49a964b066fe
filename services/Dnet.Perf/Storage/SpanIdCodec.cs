using System.Globalization;

namespace Dnet.Perf;

/// <summary>Span ids as 64-bit numbers: OpenTelemetry ids are 16 hex digits, anything else is hashed.</summary>
internal static class SpanIdCodec
{
    public static ulong Encode(string? spanId)
    {
        if (string.IsNullOrEmpty(spanId))
        {
            return 0;
        }

        if (spanId.Length <= 16
            && ulong.TryParse(spanId, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id)
            && id != 0)
        {
            return id;
        }

        // FNV-1a: stable across processes (string.GetHashCode is not), 64 bits keeps collisions negligible.
        var hash = 14695981039346656037UL;
        foreach (var c in spanId)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash == 0 ? 1 : hash;
    }

    public static string Decode(ulong id) => id.ToString("x16", CultureInfo.InvariantCulture);
}
