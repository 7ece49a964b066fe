namespace Dnet.Repl.Clients;

/// <summary>
/// A call to a cluster service failed. Carries the URL that was tried and why, in words a person can act on, so every
/// command can print the same one-line diagnosis and the REPL goes on.
/// </summary>
internal sealed class ServiceCallException(string service, string url, string reason, int? status = null, Exception? inner = null)
    : Exception($"{service}: {url}: {reason}", inner)
{
    public string Service { get; } = service;

    public string Url { get; } = url;

    public string Reason { get; } = reason;

    /// <summary>The HTTP status, when the service answered at all.</summary>
    public int? Status { get; } = status;
}
