namespace Dnet.ServiceDefaults.Tracing;

/// <summary>Settings of the span stream exporter, bound from <c>Dnet:Tracing</c>.</summary>
public sealed class TracingOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Dnet:Tracing";

    /// <summary>
    /// Approximate cap on the stream's entries (<c>XADD MAXLEN ~</c>). An entry is one batch (at most
    /// <see cref="BatchSize"/> spans, typically tens), so the default bounds Redis memory to a few hundred MB.
    /// </summary>
    public long StreamMaxLength { get; set; } = 20_000;

    /// <summary>Spans per stream entry at most; a full batch is written at once.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>How long a partial batch waits for more spans before it is written: the tail of a run arrives within this.</summary>
    public int FlushIntervalMilliseconds { get; set; } = 250;

    /// <summary>Finished spans waiting to be batched at most; beyond this, spans are dropped and counted.</summary>
    public int QueueCapacity { get; set; } = 8192;

    /// <summary>
    /// Encoded span batches held for Redis at most, in bytes: what rides out an outage. A batch that does not fit is
    /// dropped and counted. The default holds over 60 s of a busy node (see <see cref="DefaultBufferCapacityBytes"/>).
    /// </summary>
    public long BufferCapacityBytes { get; set; } = DefaultBufferCapacityBytes;

    /// <summary>Timeout of one Redis command and of a connection attempt; short so an outage costs little.</summary>
    public int RedisTimeoutMilliseconds { get; set; } = 1000;

    /// <summary>
    /// The default of <see cref="BufferCapacityBytes"/>: 256 MiB. A span is about 310 bytes encoded and a shard writes
    /// about 7 per token it serves, so this holds 60 s of a shard serving some 2,000 tokens/s (measured with the
    /// benchmark's <c>sink</c> command). Only an outage fills it.
    /// </summary>
    public const long DefaultBufferCapacityBytes = 256L * 1024 * 1024;
}
