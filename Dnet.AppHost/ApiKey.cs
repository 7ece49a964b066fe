namespace Dnet.AppHost;

/// <summary>
/// The public API key: the secret parameter <c>api-key</c> (user secrets, <c>Parameters__api-key</c>, or
/// <c>--Parameters:api-key=...</c>). Empty by default, so a developer's cluster is open; when set, the gateway and
/// analytics require <c>Authorization: Bearer &lt;key&gt;</c> on every endpoint but <c>/health</c> and <c>/alive</c>.
/// The manifest asks for it as a secret input, without a default.
/// </summary>
internal static class ApiKey
{
    public const string ParameterName = "api-key";

    public static IResourceBuilder<ParameterResource> AddApiKey(this IDistributedApplicationBuilder builder) =>
        // Read when resolved, so configuration sets it; a fixed default would win over configuration.
        builder.AddParameter(ParameterName, () => builder.Configuration[$"Parameters:{ParameterName}"] ?? "", publishValueAsDefault: false, secret: true);

    public static IResourceBuilder<ProjectResource> WithApiKey(this IResourceBuilder<ProjectResource> project, IResourceBuilder<ParameterResource> key) =>
        project.WithEnvironment("Dnet__ApiKey", key);
}
