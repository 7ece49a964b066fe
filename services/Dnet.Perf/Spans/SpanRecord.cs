namespace Dnet.Perf;

/// <summary>
/// One finished OpenTelemetry span ("frame") as delivered to analytics: the input of <see cref="SpanStore"/>.
/// </summary>
public sealed record SpanRecord
{
    private static readonly IReadOnlyDictionary<string, object?> NoAttributes = new Dictionary<string, object?>();

    /// <summary>W3C trace id (32 hex digits); every span of a request shares the root's trace id.</summary>
    public required string TraceId { get; init; }

    /// <summary>Span id (16 hex digits). Other strings are accepted and hashed to 64 bits.</summary>
    public required string SpanId { get; init; }

    /// <summary>Parent span id, or <c>null</c> for a root span.</summary>
    public string? ParentSpanId { get; init; }

    /// <summary>Dotted frame name, e.g. <c>compute.forward</c> or <c>network.rx.wait</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Node that emitted the span, e.g. <c>shard-0</c> or <c>gateway</c>.</summary>
    public required string Node { get; init; }

    /// <summary>Service (process) that emitted the span; defaults to <see cref="Node"/> when empty.</summary>
    public string Service { get; init; } = "";

    /// <summary>Start time, Unix epoch nanoseconds, on the emitting node's clock.</summary>
    public required long StartUnixNs { get; init; }

    /// <summary>Duration in nanoseconds.</summary>
    public required long DurationNs { get; init; }

    /// <summary>Span status.</summary>
    public SpanStatus Status { get; init; } = SpanStatus.Ok;

    /// <summary>
    /// Span attributes. Values may be strings, numbers or <see cref="System.Text.Json.JsonElement"/>s;
    /// only the attributes in <see cref="SpanAttributes"/> are read.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Attributes { get; init; } = NoAttributes;

    /// <summary>Adapts string-valued attributes (as some exporters send them) to <see cref="Attributes"/>.</summary>
    /// <param name="attributes">Attributes with string values; numbers are parsed when read.</param>
    public static IReadOnlyDictionary<string, object?> AttributesFrom(IEnumerable<KeyValuePair<string, string>> attributes) =>
        attributes.ToDictionary(pair => pair.Key, pair => (object?)pair.Value, StringComparer.Ordinal);

    /// <summary>End time, Unix epoch nanoseconds.</summary>
    public long EndUnixNs => StartUnixNs + DurationNs;
}
