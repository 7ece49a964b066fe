using Dnet.Repl.Chat;

namespace Dnet.Repl;

/// <summary>Where the services are and how chat answers are sampled.</summary>
/// <param name="Gateway">Gateway base URL.</param>
/// <param name="Analytics">Analytics base URL.</param>
/// <param name="Chat">Sampling settings of chat answers.</param>
internal sealed record ReplOptions(Uri Gateway, Uri Analytics, ChatSettings Chat)
{
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
}
