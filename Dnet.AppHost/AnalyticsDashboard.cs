namespace Dnet.AppHost;

/// <summary>
/// Puts the analytics views where people already look, in the Aspire dashboard: a link to the HTML annotate page and
/// resource commands that show the annotate table and the last request's stats as Markdown.
/// </summary>
internal static class AnalyticsDashboard
{
    public const string AnnotateCommand = "perf-annotate";
    public const string LastRequestCommand = "perf-stats";

    public static IResourceBuilder<ProjectResource> WithPerfViews(this IResourceBuilder<ProjectResource> analytics, IResourceBuilder<ParameterResource> apiKey)
    {
        var endpoint = analytics.GetEndpoint("http");
        return analytics
            .WithUrlForEndpoint("http", reference => new ResourceUrlAnnotation
            {
                Url = $"{reference.Url}/analytics/annotate?format=html",
                DisplayText = "perf annotate (HTML)",
            })
            .WithCommand(AnnotateCommand, "Perf annotate",
                context => FetchMarkdownAsync(endpoint, apiKey.Resource, "/analytics/annotate?format=markdown&last=10", "annotate of the last 10 requests", context.CancellationToken),
                new CommandOptions { Description = "Where the time of the last 10 requests went, per frame", IconName = "TableSearch" })
            .WithCommand(LastRequestCommand, "Last request stats",
                context => FetchMarkdownAsync(endpoint, apiKey.Resource, "/analytics/requests/last?format=markdown", "stats of the last request", context.CancellationToken),
                new CommandOptions { Description = "TTFT, tokens/s, inter-token latency and per-node time of the last request", IconName = "Timer" });
    }

    private static Task<ExecuteCommandResult> FetchMarkdownAsync(
        EndpointReference endpoint, ParameterResource apiKey, string path, string what, CancellationToken cancellationToken) =>
        ServiceCall.SendAsync(endpoint, apiKey, HttpMethod.Get, path, body: null, what, TimeSpan.FromSeconds(10), cancellationToken);
}
