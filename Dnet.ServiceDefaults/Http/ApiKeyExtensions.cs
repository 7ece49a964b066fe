using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Dnet.ServiceDefaults.Http;

/// <summary>
/// Guards a public service with the cluster's API key. With <c>Dnet:ApiKey</c> set (the AppHost's secret parameter
/// <c>api-key</c>), every endpoint except those marked anonymous (<c>/health</c>, <c>/alive</c>, cluster-internal
/// gRPC) needs <c>Authorization: Bearer &lt;key&gt;</c>; unset, nothing is checked (a developer machine).
/// </summary>
public static class ApiKeyExtensions
{
    /// <summary>Configuration key of the API key.</summary>
    public const string ConfigurationKey = "Dnet:ApiKey";

    /// <summary>Adds the API key check when <c>Dnet:ApiKey</c> is set; returns whether it is.</summary>
    /// <param name="builder">The host builder.</param>
    public static bool AddApiKeyAuthentication(this Microsoft.Extensions.Hosting.IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var key = builder.Configuration[ConfigurationKey];
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }

        builder.Services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<ApiKeyOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, options => options.SetKey(key));
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(ApiKeyAuthentication.SchemeName).RequireAuthenticatedUser().Build());
        return true;
    }

    /// <summary>
    /// The client a request counts against for per-client limits: the API key's holder when a key was checked,
    /// otherwise the remote IP address.
    /// </summary>
    /// <param name="http">The request's context.</param>
    public static string ClientOf(Microsoft.AspNetCore.Http.HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.User.FindFirst(ApiKeyAuthentication.ClientClaim)?.Value
            ?? "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }
}
