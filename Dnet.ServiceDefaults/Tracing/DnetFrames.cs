using System.Diagnostics;
using Dnet.Contracts.Tracing;
using Microsoft.Extensions.Hosting;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>
/// Opens frames (spans named from <see cref="FrameNames"/>). Each method returns the started <see cref="Activity"/>,
/// or <c>null</c> when tracing is off, the frame is filtered out by the run-time trace control, or nothing listens:
/// then the call cost a volatile read and a prefix comparison, and nothing was allocated. Dispose the frame to end it;
/// <c>dnet.node</c> is added automatically. Prefer this to <c>ActivitySource.StartActivity</c>: a frame the control
/// excludes comes back from the source as a propagation-only activity (allocated, never exported) instead of null.
/// </summary>
public static class DnetFrames
{
    /// <summary>
    /// The source frames come from: <see cref="DnetTelemetry.Source"/>. The pipeline treats every source named
    /// <see cref="DnetTelemetry.ActivitySourceName"/> alike.
    /// </summary>
    public static ActivitySource Source => DnetTelemetry.Source;

    /// <summary>Starts a frame as a child of <see cref="Activity.Current"/>.</summary>
    /// <param name="name">Frame name from <see cref="FrameNames"/>.</param>
    public static Activity? Start(string name) =>
        FrameGate.AnyRecords(name) ? Source.StartActivity(name, ActivityKind.Internal) : null;

    /// <summary>
    /// Starts a frame under <paramref name="parent"/>, typically a context that arrived in a message
    /// (<see cref="FrameContext.Extract"/>). A default context falls back to <see cref="Activity.Current"/>.
    /// </summary>
    /// <param name="name">Frame name from <see cref="FrameNames"/>.</param>
    /// <param name="parent">Parent span context.</param>
    public static Activity? Start(string name, ActivityContext parent) =>
        FrameGate.AnyRecords(name) ? Source.StartActivity(name, ActivityKind.Internal, parent) : null;

    /// <summary>
    /// Starts a frame under <paramref name="parent"/> that began at <paramref name="startTime"/>: a frame recorded after
    /// the fact (set its end with <see cref="Activity.SetEndTime"/> before disposing it), e.g. one of several requests'
    /// frames over one shared piece of work.
    /// </summary>
    /// <param name="name">Frame name from <see cref="FrameNames"/>.</param>
    /// <param name="parent">Parent span context; a default context falls back to <see cref="Activity.Current"/>.</param>
    /// <param name="startTime">When the frame began (UTC).</param>
    public static Activity? Start(string name, ActivityContext parent, DateTimeOffset startTime) =>
        FrameGate.AnyRecords(name) ? Source.StartActivity(name, ActivityKind.Internal, parent, startTime: startTime) : null;

    /// <summary>Starts a frame under the W3C context carried by a message's <c>traceparent</c>/<c>tracestate</c> fields.</summary>
    /// <param name="name">Frame name from <see cref="FrameNames"/>.</param>
    /// <param name="traceparent">W3C <c>traceparent</c>; empty or invalid falls back to <see cref="Activity.Current"/>.</param>
    /// <param name="tracestate">W3C <c>tracestate</c>, may be empty.</param>
    public static Activity? Start(string name, string? traceparent, string? tracestate) =>
        Start(name, FrameContext.Extract(traceparent, tracestate));

    /// <summary>
    /// Starts the gateway's request root span <c>chat {model}</c> with the GenAI attributes known up front
    /// (<c>gen_ai.operation.name</c>, <c>gen_ai.request.model</c>, <c>gen_ai.response.id</c>) and <c>dnet.request_id</c>.
    /// Set usage and finish reasons on it when the request ends.
    /// </summary>
    /// <param name="model">Model requested by the client.</param>
    /// <param name="requestId">The request id (<c>chatcmpl-...</c>).</param>
    public static Activity? StartChat(string model, string requestId) =>
        StartRequest(FrameNames.Chat(model), SpanAttributes.ChatOperation, model, requestId);

    /// <summary>As <see cref="StartChat"/>, for a legacy completion: <c>text_completion {model}</c>.</summary>
    /// <param name="model">Model requested by the client.</param>
    /// <param name="requestId">The request id (<c>cmpl-...</c>).</param>
    public static Activity? StartTextCompletion(string model, string requestId) =>
        StartRequest(FrameNames.TextCompletion(model), SpanAttributes.TextCompletionOperation, model, requestId);

    private static Activity? StartRequest(string name, string operation, string model, string requestId)
    {
        var root = Start(name);
        root?.SetTag(SpanAttributes.OperationName, operation)
            .SetTag(SpanAttributes.RequestModel, model)
            .SetTag(SpanAttributes.ResponseId, requestId)
            .SetTag(SpanAttributes.RequestId, requestId);
        if (root is not null && FrameGate.ActivePrefixes() is { Count: > 0 } prefixes)
        {
            // Analytics must know that the request's other frames were filtered out, not missing.
            root.SetTag(SpanAttributes.TraceFilter, string.Join(',', prefixes));
        }

        return root;
    }

    /// <summary>Whether <paramref name="activity"/> is a Dnet frame (from a source named <see cref="DnetTelemetry.ActivitySourceName"/>).</summary>
    /// <param name="activity">Any activity.</param>
    public static bool IsFrame(Activity activity) =>
        string.Equals(activity.Source.Name, DnetTelemetry.ActivitySourceName, StringComparison.Ordinal);
}
