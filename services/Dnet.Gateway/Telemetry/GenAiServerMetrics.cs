using System.Diagnostics.Metrics;

namespace Dnet.Gateway.Telemetry;

/// <summary>
/// The OpenTelemetry GenAI server metrics, recorded by the gateway for every request whether tracing is on or off:
/// request duration, time to first token and time per output token (seconds), and token counts by type. Bucket
/// boundaries are the ones the semantic conventions recommend. The conventions define token usage only for clients
/// (<c>gen_ai.client.token.usage</c>); the server records the same histogram as <see cref="TokenUsage"/>.
/// </summary>
internal sealed class GenAiServerMetrics
{
    public const string RequestDuration = "gen_ai.server.request.duration";
    public const string TimeToFirstToken = "gen_ai.server.time_to_first_token";
    public const string TimePerOutputToken = "gen_ai.server.time_per_output_token";
    public const string TokenUsage = "gen_ai.server.token.usage";

    public const string OperationName = "gen_ai.operation.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string FinishReasons = "gen_ai.response.finish_reasons";
    public const string TokenType = "gen_ai.token.type";
    public const string ErrorType = "error.type";

    private static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
    private static readonly double[] TtftBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];
    private static readonly double[] TpotBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];
    private static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    private readonly Histogram<double> requestDuration;
    private readonly Histogram<double> timeToFirstToken;
    private readonly Histogram<double> timePerOutputToken;
    private readonly Histogram<long> tokenUsage;

    public GenAiServerMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(DnetTelemetry.MeterName);
        requestDuration = meter.CreateHistogram(RequestDuration, "s",
            "Time from receiving a generation request to sending its last byte (or its error).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        timeToFirstToken = meter.CreateHistogram(TimeToFirstToken, "s",
            "Time from receiving a request to writing the first token's text to the client.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TtftBuckets });
        timePerOutputToken = meter.CreateHistogram(TimePerOutputToken, "s",
            "Time per output token after the first: (request duration - time to first token) / (output tokens - 1).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TpotBuckets });
        tokenUsage = meter.CreateHistogram(TokenUsage, "{token}",
            "Input and output tokens of each completed request.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets });
    }

    public void FirstToken(RequestMeterTags tags, TimeSpan sinceReceived) =>
        timeToFirstToken.Record(sinceReceived.TotalSeconds, tags.Operation, tags.Model);

    public void Completed(RequestMeterTags tags, string finishReason, TimeSpan duration, TimeSpan? firstToken, int inputTokens, int outputTokens)
    {
        var finish = new KeyValuePair<string, object?>(FinishReasons, finishReason);
        requestDuration.Record(duration.TotalSeconds, tags.Operation, tags.Model, finish);
        if (firstToken is { } ttft && outputTokens > 1)
        {
            timePerOutputToken.Record((duration - ttft).TotalSeconds / (outputTokens - 1), tags.Operation, tags.Model);
        }

        tokenUsage.Record(inputTokens, tags.Operation, tags.Model, new(TokenType, "input"));
        tokenUsage.Record(outputTokens, tags.Operation, tags.Model, new(TokenType, "output"));
    }

    public void Failed(RequestMeterTags tags, string errorType, TimeSpan duration) =>
        requestDuration.Record(duration.TotalSeconds, tags.Operation, tags.Model, new(ErrorType, errorType));
}

/// <summary>The attributes every GenAI measurement of one request carries.</summary>
internal readonly record struct RequestMeterTags(string OperationName, string ModelName)
{
    public KeyValuePair<string, object?> Operation => new(GenAiServerMetrics.OperationName, OperationName);

    public KeyValuePair<string, object?> Model => new(GenAiServerMetrics.RequestModel, ModelName);
}
