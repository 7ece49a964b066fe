using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>Who emits this process's frames.</summary>
/// <param name="Node">Node name: <c>Dnet:Node</c>, else the Aspire resource name (<c>OTEL_SERVICE_NAME</c>), else the application name.</param>
/// <param name="Service">Application name, e.g. <c>Dnet.Shard</c>.</param>
/// <param name="Instance">Random id of this process instance; batch sequence numbers restart with it.</param>
internal sealed record NodeIdentity(string Node, string Service, string Instance)
{
    public static NodeIdentity From(IConfiguration configuration, IHostEnvironment environment) =>
        new(
            NonEmpty(configuration["Dnet:Node"]) ?? NonEmpty(configuration["OTEL_SERVICE_NAME"]) ?? environment.ApplicationName,
            environment.ApplicationName,
            Guid.NewGuid().ToString("n"));

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
