namespace Dnet.ServiceDefaults.Http;

/// <summary>
/// Kestrel limits every Dnet service runs with (<c>Dnet:Http:*</c>). Defaults suit an OpenAI-style API: a chat
/// request with a long conversation fits in a few hundred KiB, so a body cap of 4 MiB stops a 20 MB body before it
/// is read instead of after it has been parsed.
/// </summary>
public sealed class HttpLimitsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Dnet:Http";

    /// <summary>Largest request body accepted; bigger ones get 413 before (Content-Length) or while (chunked) they are read.</summary>
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Over-cap bodies up to this size (by Content-Length) are read and discarded before the 413, so that clients that
    /// upload before they read (most HTTP libraries) see the answer; bigger ones are refused at once.
    /// </summary>
    public long MaxDrainBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Time a client has to send the request line and headers (Kestrel answers 408 and closes).</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Slowest body upload accepted after <see cref="MinRequestBodyGracePeriod"/>; slower gets 408.</summary>
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>Time before <see cref="MinRequestBodyBytesPerSecond"/> applies.</summary>
    public TimeSpan MinRequestBodyGracePeriod { get; set; } = TimeSpan.FromSeconds(5);
}
