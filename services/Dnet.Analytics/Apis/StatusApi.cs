using Dnet.Analytics.Infrastructure;
using Dnet.Analytics.Ingest;
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
            .WithSummary("Span store counters, consumer progress, lag and pending entries, per-node exporter stats incl. dropped spans.");
        return app;
    }

    internal static async Task<IResult> StatusAsync(
        PerfAnalyzer analyzer,
        ConsumerState consumer,
        ExporterLedger exporters,
        StreamStatusReader stream,
        IOptions<AnalyticsOptions> options)
    {
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
        return Results.Text(ReportJson.Serialize(new
        {
            store = analyzer.Store.Counters,
            consumer = new { name = options.Value.Consumer, group = options.Value.Group, state = consumer.Snapshot() },
            stream = streamStatus,
            streamError,
            droppedSpans = exporterStats.Sum(e => e.DroppedSpans),
            missingBatches = exporterStats.Sum(e => e.MissingBatches),
            exporters = exporterStats,
        }), "application/json; charset=utf-8");
    }
}
