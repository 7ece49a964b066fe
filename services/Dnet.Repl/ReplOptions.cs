using Dnet.Repl.Chat;

namespace Dnet.Repl;

/// <summary>Where the services are and how chat answers are sampled.</summary>
/// <param name="Gateway">Gateway base URL.</param>
/// <param name="Analytics">Analytics base URL.</param>
/// <param name="Chat">Sampling settings of chat answers.</param>
/// <param name="ApiKey">The cluster's API key, sent as <c>Authorization: Bearer</c>; null when the cluster has none.</param>
internal sealed record ReplOptions(Uri Gateway, Uri Analytics, ChatSettings Chat, string? ApiKey = null)
{
    /// <summary>The environment variable the key is read from when no <c>--api-key</c> is given.</summary>
    public const string ApiKeyVariable = "DNET_API_KEY";

    public static readonly Uri DefaultGateway = new("http://localhost:5080");
    public static readonly Uri DefaultAnalytics = new("http://localhost:5090");

    /// <summary>
    /// A URL given on the command line wins; else the one Aspire service discovery puts in the environment when the
    /// REPL runs as a resource (<c>services__gateway__http__0</c>); else the port the README lists.
    /// </summary>
    public static Uri Resolve(string? given, string service, Uri fallback) =>
        given is { Length: > 0 } ? new Uri(given)
        : Environment.GetEnvironmentVariable($"services__{service}__http__0") is { Length: > 0 } discovered ? new Uri(discovered)
        : fallback;

    /// <summary>A key given on the command line wins; else <c>DNET_API_KEY</c>; else none.</summary>
    public static string? ResolveApiKey(string? given) =>
        given is { Length: > 0 } ? given
        : Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } key ? key
        : null;
}
