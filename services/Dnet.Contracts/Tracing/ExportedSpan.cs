using System.Text.Json.Serialization;

namespace Dnet.Contracts.Tracing;

/// <summary>
/// One finished frame as written to the span stream (an element of <see cref="SpanBatch.Spans"/>). JSON names are
/// snake_case (<c>trace_id</c>, <c>start_unix_ns</c>, ...); see <see cref="TracingJsonContext"/>.
/// </summary>
public sealed record ExportedSpan
{
    /// <summary>W3C trace id, 32 lowercase hex digits; every frame of a request shares its root's trace id.</summary>
    public required string TraceId { get; init; }

    /// <summary>Span id, 16 lowercase hex digits.</summary>
    public required string SpanId { get; init; }

    /// <summary>Parent span id (possibly on another node), or <c>null</c> for a root.</summary>
    public string? ParentSpanId { get; init; }

    /// <summary>Frame name from <see cref="FrameNames"/>.</summary>
    public required string Name { get; init; }

    /// <summary>Start time, Unix epoch nanoseconds, on the emitting node's clock.</summary>
    public required long StartUnixNs { get; init; }

    /// <summary>Duration in nanoseconds.</summary>
    public required long DurationNs { get; init; }

    /// <summary>Span status (<c>"unset"</c>, <c>"ok"</c> or <c>"error"</c>).</summary>
    public SpanStatusCode Status { get; init; }

    /// <summary>Status description, set with <see cref="SpanStatusCode.Error"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StatusDescription { get; init; }

    /// <summary>
    /// Attributes (<see cref="SpanAttributes"/>). Written as JSON strings, numbers, booleans or arrays of those; read
    /// back as <see cref="System.Text.Json.JsonElement"/> values.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Attributes { get; init; } = new Dictionary<string, object?>();
}
