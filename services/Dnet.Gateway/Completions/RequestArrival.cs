using System.Diagnostics;

namespace Dnet.Gateway.Completions;

/// <summary>
/// When a request arrived, before its body was read: the wall-clock time starts its root span, the monotonic
/// timestamp measures its GenAI metrics (TTFT, duration).
/// </summary>
internal readonly record struct RequestArrival(DateTime ReceivedAt, long Timestamp)
{
    public static RequestArrival Now() => new(DateTime.UtcNow, Stopwatch.GetTimestamp());
}
