namespace Dnet.AppHost;

/// <summary>
/// Every Dnet endpoint is plain HTTP (on loopback in development), so no resource needs the ASP.NET Core development
/// certificate. Saying so per project keeps Aspire from looking for one and from raising its red "no trusted
/// development certificate" notification in the dashboard on machines that have none.
/// </summary>
internal static class PlainHttp
{
    public static IResourceBuilder<ProjectResource> WithoutTls(this IResourceBuilder<ProjectResource> project)
    {
#pragma warning disable ASPIRECERTIFICATES001 // Experimental in Aspire 13.6: the opt-out of HTTPS certificate configuration.
        return project.WithoutHttpsCertificate();
#pragma warning restore ASPIRECERTIFICATES001
    }
}
