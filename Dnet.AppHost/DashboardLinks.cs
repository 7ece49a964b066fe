using Microsoft.Extensions.DependencyInjection;

namespace Dnet.AppHost;

/// <summary>
/// Tells analytics where the Aspire dashboard is, so each request's stats link to its trace there. Only in run mode:
/// a published deployment has no dashboard of the AppHost's.
/// </summary>
internal static class DashboardLinks
{
    private const string DashboardResourceName = "aspire-dashboard";

    public static IResourceBuilder<ProjectResource> WithDashboardLinks(this IResourceBuilder<ProjectResource> analytics) =>
        analytics.WithEnvironment(context =>
        {
            if (!context.ExecutionContext.IsRunMode)
            {
                return;
            }

            // The dashboard resource is added at start, so it is looked up when the environment is built, not now.
            var model = context.ExecutionContext.Services.GetRequiredService<DistributedApplicationModel>();
            if (model.Resources.FirstOrDefault(r => r.Name == DashboardResourceName) is IResourceWithEndpoints dashboard
                && dashboard.Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.UriScheme is "http" or "https") is { } endpoint)
            {
                context.EnvironmentVariables["Dnet__Analytics__DashboardUrl"] = dashboard.GetEndpoint(endpoint.Name);
            }
        });
}
