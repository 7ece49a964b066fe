using Dnet.Analytics.Infrastructure;
using Dnet.Analytics.Ingest;
using Dnet.Analytics.Model;
using Dnet.Analytics.Rendering;
using Dnet.Perf;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dnet.Analytics.Apis;

/// <summary><c>GET /analytics/status</c>: store counters, the consumer, its group in Redis and every exporter's losses.</summary>
public static class StatusApi
{
    public static IEndpointRouteBuilder MapStatusApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/analytics/status", StatusAsync).WithName("Status")
            .WithSummary("Span store counters, consumer progress, lag and pending entries, and per node where every exported span is: stored, buffered, dropped or in flight (json or markdown).");
        return app;
    }

    internal static async Task<IResult> StatusAsync(
        HttpRequest request,
        PerfAnalyzer analyzer,
        ConsumerState consumer,
        ExporterLedger exporters,
        StreamStatusReader stream,
        IOptions<AnalyticsOptions> options)
    {
        var reader = new QueryReader(request.Query);
        reader.RejectUnknown("format");
        var format = reader.Format(ReportFormat.Json, ReportFormat.Markdown);
        if (reader.HasProblem)
        {
            return reader.ProblemResult;
        }

        StreamStatus? streamStatus = null;
        string? streamError = null;
        try
        {
            streamStatus = await stream.ReadAsync();
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Status must answer most of all when Redis does not.
            streamError = exception.Message;
        }

        var exporterStats = exporters.Snapshot();
        var status = new AnalyticsStatus(
            analyzer.Store.Counters,
            new ConsumerStatus(options.Value.Consumer, options.Value.Group, consumer.Snapshot()),
            streamStatus,
            streamError,
            exporterStats.Sum(e => e.DroppedSpans),
            exporterStats.Sum(e => e.MissingBatches),
            SpanAccount.Of(null, exporterStats),
            SpanAccount.PerNode(exporterStats),
            exporterStats);
        var body = format == ReportFormat.Markdown ? StatusMarkdownRenderer.Render(status) : ReportJson.Serialize(status);
        return Report.Of(body, format);
    }
}
