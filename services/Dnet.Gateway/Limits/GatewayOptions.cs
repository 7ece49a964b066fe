namespace Dnet.Gateway.Limits;

/// <summary>
/// The gateway's limits (<c>Dnet:Gateway:*</c>). Every refusal they cause is an OpenAI error object: 400 for a prompt
/// over the cap, 429 with <c>Retry-After</c> for too many requests or streams at once.
/// </summary>
internal sealed class GatewayOptions
{
    public const string Section = "Dnet:Gateway";

    /// <summary>
    /// Requests in the ring at once; the rest wait in <c>request.queue.wait</c>. Shards batch the decode steps of every
    /// request in the ring, so more in flight means more tokens per forward (64: well past the 32 the benchmarks run).
    /// </summary>
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>
    /// Requests one client may have open (waiting or running); more get 429. A client is the API key's holder when a
    /// key is set, otherwise the remote IP address.
    /// </summary>
    public int MaxConcurrentRequestsPerClient { get; set; } = 64;

    /// <summary>Open SSE streams across all clients; more streaming requests get 429.</summary>
    public int MaxOpenStreams { get; set; } = 64;

    /// <summary>Longest prompt accepted, in tokens; unset: up to the model's context length.</summary>
    public int? MaxPromptTokens { get; set; }

    /// <summary>
    /// No token from the ring for this long (for this request, and for any other either) fails the request: the ring
    /// is down or stalled. While the ring keeps returning tokens for other requests, a request waits on (it is queued
    /// behind their prefills in the shards' batches), up to <see cref="MaxRingWait"/>.
    /// </summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>The longest one step of a request may wait on a ring that is making progress for others.</summary>
    public TimeSpan MaxRingWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A client that does not take a streamed chunk within this time is cut off and its request cancelled (KV cache
    /// freed), so a reader that stalls cannot hold a ring slot.
    /// </summary>
    public TimeSpan ClientWriteTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a request that arrives while the ring is starting or being re-planned (a shard died, left or joined)
    /// waits for it to serve before it is answered 503 with <c>Retry-After</c>.
    /// </summary>
    public TimeSpan ReplanWait { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Seconds a 429 tells the client to wait (<c>Retry-After</c>).</summary>
    public int RetryAfterSeconds { get; set; } = 1;
}
