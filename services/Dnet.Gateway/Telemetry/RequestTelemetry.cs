using System.Diagnostics;
using Dnet.Contracts.Tracing;
using Dnet.ServiceDefaults.Tracing;

namespace Dnet.Gateway.Telemetry;

/// <summary>
/// What the client of one request has been sent, and when: a generated token counts as emitted when its text is
/// written to the client (a token whose text is held back, an incomplete UTF-8 sequence or a possible stop string, is
/// emitted with the write that carries it). Each emitted token gets its <c>request.token</c> frame at that moment, so
/// TTFT and inter-token latency in the traces are what the client saw; the GenAI server metrics are recorded here too.
/// </summary>
internal sealed class RequestTelemetry(GenAiServerMetrics metrics, RequestMeterTags tags, string requestId, long receivedTimestamp)
{
    private int produced;
    private int emitted;
    private TimeSpan? firstToken;
    private bool ended;

    /// <summary>A token came back from the ring (its text may be held back).</summary>
    public void Produced() => produced++;

    /// <summary>Everything produced so far has reached the client (a write was flushed, or the body is complete).</summary>
    public void Written()
    {
        if (emitted == produced)
        {
            return;
        }

        if (firstToken is null)
        {
            firstToken = Stopwatch.GetElapsedTime(receivedTimestamp);
            metrics.FirstToken(tags, firstToken.Value);
        }

        for (; emitted < produced; emitted++)
        {
            using var span = DnetFrames.Start(FrameNames.RequestToken);
            span?.SetTag(SpanAttributes.RequestId, requestId);
            span?.SetTag(SpanAttributes.TokenIndex, emitted);
        }
    }

    /// <summary>The request completed; <paramref name="outputTokens"/> as reported in usage.</summary>
    public void Completed(string finishReason, int inputTokens, int outputTokens)
    {
        Written();
        if (!ended)
        {
            ended = true;
            metrics.Completed(tags, finishReason, Stopwatch.GetElapsedTime(receivedTimestamp), firstToken, inputTokens, outputTokens);
        }
    }

    /// <summary>The request failed (<paramref name="errorType"/>: a low-cardinality reason, as <c>error.type</c> wants).</summary>
    public void Failed(string errorType)
    {
        if (!ended)
        {
            ended = true;
            metrics.Failed(tags, errorType, Stopwatch.GetElapsedTime(receivedTimestamp));
        }
    }
}
