using Dnet.Analytics.Rendering;
using Dnet.Perf;

namespace Dnet.Analytics.Apis;

/// <summary>
/// Request stats: <c>GET /analytics/requests</c> (recent requests with headline numbers),
/// <c>GET /analytics/requests/last</c> (the most recently completed one) and <c>GET /analytics/requests/{id}</c>
/// (by the completion's id or by the <c>x-request-id</c> it was sent with).
/// </summary>
public static class RequestsApi
{
    private const int DefaultCount = 20;
    private const int MaxCount = 1_000;
    private static readonly ReportFormat[] Formats = [ReportFormat.Text, ReportFormat.Json, ReportFormat.Markdown];

    public static IEndpointRouteBuilder MapRequestsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/analytics/requests");
        api.MapGet("", Recent).WithName("RecentRequests").WithSummary("Recent requests, latest start first (text, json or markdown).");
        api.MapGet("/last", Last).WithName("LastRequest").WithSummary("Stats of the most recently completed request.");
        api.MapGet("/{id}", One).WithName("RequestStats").WithSummary("Stats of one request: TTFT, ITL, TPOT, tokens/s, per-node time.");
        return app;
    }

    internal static IResult Recent(HttpRequest request, PerfAnalyzer analyzer)
    {
        var reader = new QueryReader(request.Query);
        reader.RejectUnknown("last", "format");
        var count = reader.Count("last", MaxCount) ?? DefaultCount;
        var format = reader.Format(Formats);
        if (reader.HasProblem)
        {
            return reader.ProblemResult;
        }

        var recent = analyzer.RecentRequests(count);
        var body = format == ReportFormat.Json
            ? ReportJson.Serialize(recent)
            : RequestListRenderer.Render(recent, analyzer.Store.Counters, format);
        return Report.Of(body, format);
    }

    internal static IResult Last(HttpRequest request, PerfAnalyzer analyzer) =>
        Stats(request, analyzer.LastRequestStats, () => Errors.NotFound(
            "No request has completed yet (no gateway root span has arrived).", null, "no_completed_request"));

    internal static IResult One(string id, HttpRequest request, PerfAnalyzer analyzer) =>
        Stats(request, () => analyzer.RequestStats(id) ?? RequestIdLookup.ByClientRequestId(analyzer, id), () => Errors.NotFound(
            $"No span of request '{id}' is kept: the id (a chatcmpl-/cmpl- id or an x-request-id) is unknown, or its spans were evicted or have not arrived.",
            "id", "request_not_found"));

    private static IResult Stats(HttpRequest request, Func<RequestStats?> find, Func<IResult> notFound)
    {
        var reader = new QueryReader(request.Query);
        reader.RejectUnknown("format");
        var format = reader.Format(Formats);
        if (reader.HasProblem)
        {
            return reader.ProblemResult;
        }

        if (find() is not { } stats)
        {
            return notFound();
        }

        var body = format == ReportFormat.Markdown ? RequestStatsMarkdownRenderer.Render(stats) : stats.Render(format);
        return Report.Of(body, format);
    }
}
