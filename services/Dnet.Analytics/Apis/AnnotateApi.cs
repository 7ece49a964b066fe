using Dnet.Perf;

namespace Dnet.Analytics.Apis;

/// <summary><c>GET /analytics/annotate</c>: a <c>perf annotate</c>-style table of where the time went.</summary>
public static class AnnotateApi
{
    private const int MaxLastRequests = 10_000;

    private static readonly string[] Parameters =
        ["request", "last", "node", "service", "prefix", "since", "until", "exclude_wait", "sort", "self", "format"];

    public static IEndpointRouteBuilder MapAnnotateApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/analytics/annotate", Annotate)
            .WithName("Annotate")
            .WithSummary("Self and inclusive time per frame name over a scope of spans (text, json, markdown or html).");
        return app;
    }

    internal static IResult Annotate(HttpRequest request, PerfAnalyzer analyzer, TimeProvider clock)
    {
        var reader = new QueryReader(request.Query);
        reader.RejectUnknown(Parameters);
        var now = clock.GetUtcNow();
        var query = new AnnotateQuery
        {
            RequestId = reader.Text("request"),
            LastRequests = reader.Count("last", MaxLastRequests),
            Node = reader.Text("node"),
            Service = reader.Text("service"),
            NamePrefix = reader.Text("prefix"),
            Since = reader.Time("since", now),
            Until = reader.Time("until", now),
            ExcludeWait = reader.Flag("exclude_wait"),
            Sort = reader.Choice("sort", AnnotateSort.Self),
            SelfTime = reader.Choice("self", SelfTimeScope.Process),
        };
        var format = reader.Format(ReportFormat.Text, ReportFormat.Json, ReportFormat.Markdown, ReportFormat.Html);
        if (reader.HasProblem)
        {
            return reader.ProblemResult;
        }

        if (query.Since is { } since && query.Until is { } until && until <= since)
        {
            return Errors.BadRequest("'until' must be later than 'since'.", "until", QueryReader.InvalidValue);
        }

        return Report.Of(analyzer.Annotate(query).Render(format), format);
    }
}
