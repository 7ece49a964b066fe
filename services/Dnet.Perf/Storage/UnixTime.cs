namespace Dnet.Perf;

/// <summary>Conversions between <see cref="DateTimeOffset"/> and the Unix nanoseconds spans carry.</summary>
internal static class UnixTime
{
    public static long ToNs(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    public static DateTimeOffset FromNs(long ns) => DateTimeOffset.UnixEpoch.AddTicks(ns / 100);

    public static double Ms(long ns) => ns / 1e6;
}
