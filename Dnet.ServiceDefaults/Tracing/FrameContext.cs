using System.Diagnostics;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>
/// W3C trace context as plain strings, for messages on long-lived gRPC streams (which do not propagate context by
/// themselves): the sender injects the context of its frame into the message, the receiver extracts it as the parent.
/// </summary>
public static class FrameContext
{
    /// <summary>
    /// The W3C context of <paramref name="frame"/>, or of <see cref="Activity.Current"/> when the frame is <c>null</c>
    /// (not recorded), so the receiver still joins the nearest recorded ancestor. Empty strings when there is none
    /// (protobuf string fields must not be null).
    /// </summary>
    /// <param name="frame">The frame the message belongs to, if recorded.</param>
    public static PropagatedContext Inject(Activity? frame)
    {
        var activity = frame ?? Activity.Current;
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C)
        {
            return PropagatedContext.None;
        }

        var flags = (activity.ActivityTraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00";
        return new PropagatedContext(
            $"00-{activity.TraceId.ToHexString()}-{activity.SpanId.ToHexString()}-{flags}",
            activity.TraceStateString ?? "");
    }

    /// <summary>
    /// The remote parent context carried by <paramref name="traceparent"/>; <c>default</c> when it is missing or malformed
    /// (a frame started under <c>default</c> becomes a child of <see cref="Activity.Current"/>).
    /// </summary>
    /// <param name="traceparent">W3C <c>traceparent</c> header value.</param>
    /// <param name="tracestate">W3C <c>tracestate</c> header value, may be empty.</param>
    public static ActivityContext Extract(string? traceparent, string? tracestate) =>
        !string.IsNullOrEmpty(traceparent)
        && ActivityContext.TryParse(traceparent, string.IsNullOrEmpty(tracestate) ? null : tracestate, isRemote: true, out var context)
            ? context
            : default;
}

/// <summary>W3C <c>traceparent</c> and <c>tracestate</c> values to copy into a message's fields.</summary>
/// <param name="Traceparent">W3C <c>traceparent</c>, or empty.</param>
/// <param name="Tracestate">W3C <c>tracestate</c>, or empty.</param>
public readonly record struct PropagatedContext(string Traceparent, string Tracestate)
{
    /// <summary>No context: both fields empty.</summary>
    public static PropagatedContext None { get; } = new("", "");
}
