using Dnet.Contracts.Tracing;

namespace Dnet.Analytics.Tests;

/// <summary>
/// The frames of one chat request as the gateway and two shards would export them: a root <c>chat tiny</c> of 100 ms,
/// tokens emitted at +20, +30, +40 and +50 ms (so TTFT 20 ms, TPOT (100-20)/3 ms), and per shard and step
/// <c>network.rx</c>, <c>compute.forward</c> (containing <c>compute.execute</c>) and <c>network.tx</c>.
/// </summary>
internal sealed class RequestTrace
{
    public const string Model = "tiny";
    public const int Tokens = 4;
    public const double TtftMs = 20;
    public const double EndToEndMs = 100;
    public const double TpotMs = (EndToEndMs - TtftMs) / (Tokens - 1);
    public const long ExecuteNs = 4_000_000;

    private static long nextSpanId = 0x1000;
    private readonly long startNs;
    private readonly string rootSpanId = NewSpanId();

    public RequestTrace(string requestId, DateTimeOffset? start = null, string model = Model)
    {
        RequestId = requestId;
        ModelName = model;
        startNs = ((start ?? DateTimeOffset.UtcNow.AddSeconds(-1)) - DateTimeOffset.UnixEpoch).Ticks * 100;
    }

    public string RequestId { get; }

    /// <summary>The model the root names (<see cref="Model"/> unless the test chose another).</summary>
    public string ModelName { get; }

    public string TraceId { get; } = Guid.NewGuid().ToString("n");

    /// <summary>The gateway's spans: the root and one <c>request.token</c> per token.</summary>
    public IReadOnlyList<ExportedSpan> Gateway()
    {
        var spans = new List<ExportedSpan>
        {
            Span(rootSpanId, null, FrameNames.Chat(ModelName), 0, Ms(EndToEndMs), new()
            {
                [SpanAttributes.OperationName] = SpanAttributes.ChatOperation,
                [SpanAttributes.RequestModel] = ModelName,
                [SpanAttributes.InputTokens] = 7L,
                [SpanAttributes.OutputTokens] = (long)Tokens,
                [SpanAttributes.FinishReasons] = new[] { "length" },
            }),
        };
        for (var i = 0; i < Tokens; i++)
        {
            spans.Add(Span(NewSpanId(), rootSpanId, FrameNames.RequestToken, Ms(TtftMs + (i * 10)), 100_000, new()
            {
                [SpanAttributes.TokenIndex] = (long)i,
            }));
        }

        return spans;
    }

    /// <summary>One shard's frames for every step; shard <paramref name="index"/> works 5 ms per step after the previous shard.</summary>
    public IReadOnlyList<ExportedSpan> Shard(int index)
    {
        var spans = new List<ExportedSpan>();
        for (var step = 0; step < Tokens; step++)
        {
            var at = Ms(10 + (step * 10) + (index * 5));
            var forward = NewSpanId();
            spans.Add(Span(NewSpanId(), rootSpanId, FrameNames.NetworkRx, at, 200_000, new() { [SpanAttributes.Step] = (long)step, [SpanAttributes.Bytes] = 4096L }));
            spans.Add(Span(forward, rootSpanId, FrameNames.ComputeForward, at + 200_000, 4_500_000, new() { [SpanAttributes.Step] = (long)step, [SpanAttributes.Flops] = 2e6 }));
            spans.Add(Span(NewSpanId(), forward, FrameNames.ComputeExecute, at + 300_000, ExecuteNs, new() { [SpanAttributes.Step] = (long)step }));
            spans.Add(Span(NewSpanId(), rootSpanId, FrameNames.NetworkTx, at + 4_700_000, 200_000, new() { [SpanAttributes.Step] = (long)step, [SpanAttributes.Bytes] = 4096L }));
        }

        return spans;
    }

    private static long Ms(double ms) => (long)(ms * 1e6);

    private static string NewSpanId() => Interlocked.Increment(ref nextSpanId).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    private ExportedSpan Span(string spanId, string? parent, string name, long offsetNs, long durationNs, Dictionary<string, object?> attributes)
    {
        attributes[SpanAttributes.RequestId] = RequestId;
        return new ExportedSpan
        {
            TraceId = TraceId,
            SpanId = spanId,
            ParentSpanId = parent,
            Name = name,
            StartUnixNs = startNs + offsetNs,
            DurationNs = durationNs,
            Attributes = attributes,
        };
    }
}
