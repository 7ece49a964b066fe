using System.Globalization;

namespace Dnet.Perf.Tests;

/// <summary>Builds the spans of one trace with times in milliseconds from a fixed origin.</summary>
internal sealed class RequestTrace
{
    public const long OriginNs = 1_700_000_000_000_000_000;
    private static long lastId;

    public RequestTrace(string? requestId, string? traceId = null)
    {
        RequestId = requestId;
        TraceId = traceId ?? Guid.NewGuid().ToString("N");
        RootId = NextId();
    }

    public string? RequestId { get; }

    public string TraceId { get; }

    /// <summary>Id reserved for the gateway root, so children can name it before it exists.</summary>
    public string RootId { get; }

    public List<SpanRecord> Spans { get; } = [];

    public static long Ns(double ms) => OriginNs + (long)Math.Round(ms * 1e6);

    public SpanRecord Root(double startMs, double durationMs, long? inputTokens = 10, long? outputTokens = null, string model = "tiny")
    {
        var attributes = new List<(string, object)>
        {
            (SpanAttributes.OperationName, SpanAttributes.ChatOperation),
            (SpanAttributes.RequestModel, model),
            (SpanAttributes.FinishReasons, "stop"),
        };
        if (inputTokens is { } input)
        {
            attributes.Add((SpanAttributes.InputTokens, input));
        }

        if (outputTokens is { } output)
        {
            attributes.Add((SpanAttributes.OutputTokens, output));
        }

        return Add("chat " + model, "gateway", startMs, durationMs, parent: null, id: RootId, attributes: [.. attributes]);
    }

    public SpanRecord Token(int index, double atMs) =>
        Add(SpanAttributes.TokenFrame, "gateway", atMs, 0.01, RootId, attributes: (SpanAttributes.TokenIndex, index));

    public SpanRecord Add(
        string name,
        string node,
        double startMs,
        double durationMs,
        string? parent = null,
        string? id = null,
        string? service = null,
        params (string Key, object Value)[] attributes)
    {
        var tags = new Dictionary<string, object?>();
        if (RequestId is not null)
        {
            tags[SpanAttributes.RequestId] = RequestId;
        }

        foreach (var (key, value) in attributes)
        {
            tags[key] = value;
        }

        var span = new SpanRecord
        {
            TraceId = TraceId,
            SpanId = id ?? NextId(),
            ParentSpanId = parent,
            Name = name,
            Node = node,
            Service = service ?? node,
            StartUnixNs = Ns(startMs),
            DurationNs = (long)Math.Round(durationMs * 1e6),
            Attributes = tags,
        };
        Spans.Add(span);
        return span;
    }

    private static string NextId() =>
        Interlocked.Increment(ref lastId).ToString("x16", CultureInfo.InvariantCulture);
}
