using System.Collections.Concurrent;
using System.Diagnostics;
using Dnet.Contracts.Cluster;
using Dnet.Contracts.Shards;
using Dnet.ServiceDefaults.Cluster;
using Google.Protobuf;
using Grpc.Net.Client;

namespace Dnet.Shard.Profiling;

/// <summary>
/// Measures the link from this shard to another shard's gRPC endpoint with its Echo RPC: latency from round trips of an
/// empty payload (p50/p99; one-way latency is half the p50), bandwidth from round trips of activation-sized payloads.
/// </summary>
public sealed partial class LinkProber(IConfiguration configuration, ClusterSecret secret, ILogger<LinkProber> logger) : IDisposable
{
    public const int DefaultPayloadBytes = 4096;
    public const int DefaultRepeats = 20;
    public const int MaxPayloadBytes = 16 * 1024 * 1024;
    public const int MaxRepeats = 1000;
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, GrpcChannel> channels = new();

    /// <summary>
    /// Probes <paramref name="address"/> (e.g. http://localhost:5123). <paramref name="payloadBytes"/> and
    /// <paramref name="repeats"/> of 0 take the defaults. Bandwidth is in 1e6 bytes/s, chosen so that payload / bandwidth is
    /// the measured one-way transfer time of that payload; 0 when it was lost in the noise.
    /// </summary>
    public async Task<LinkMeasurement> MeasureAsync(string address, int payloadBytes, int repeats, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out _))
        {
            throw new ArgumentException($"'{address}' is not an absolute address such as http://host:port", nameof(address));
        }
        payloadBytes = payloadBytes == 0 ? DefaultPayloadBytes : payloadBytes;
        repeats = repeats == 0 ? DefaultRepeats : repeats;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(payloadBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadBytes, MaxPayloadBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(repeats);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(repeats, MaxRepeats);

        var client = new Contracts.Shards.Shard.ShardClient(channels.GetOrAdd(address, a =>
            GrpcChannel.ForAddress(a, new GrpcChannelOptions { MaxReceiveMessageSize = MaxPayloadBytes + 1024, MaxSendMessageSize = MaxPayloadBytes + 1024 }
                .WithClusterSecret(secret.Value))));
        var empty = new EchoPayload();
        var payload = new EchoPayload { Data = ByteString.CopyFrom(RandomBytes(payloadBytes)) };

        // The first calls open the HTTP/2 connection and warm both ends' code paths.
        await RoundTripAsync(client, empty, cancellationToken);
        await RoundTripAsync(client, payload, cancellationToken);

        var small = new List<double>(repeats);
        var large = new List<double>(repeats);
        for (int i = 0; i < repeats; i++)
        {
            small.Add(await RoundTripAsync(client, empty, cancellationToken));
            large.Add(await RoundTripAsync(client, payload, cancellationToken));
        }

        var latency = new RoundTrips(small);
        double p50 = latency.Percentile(50), p99 = latency.Percentile(99), payloadP50 = new RoundTrips(large).Percentile(50);
        // The payload crosses the link twice; the empty round trip's time is overhead, not transfer. A payload too small to
        // stand out of the noise reports 0: no transfer cost beyond the latency.
        double transferMs = payloadP50 - p50;
        var measurement = new LinkMeasurement
        {
            FromNode = ShardNode.From(configuration),
            ToAddress = address,
            LatencyMs = p50 / 2,
            BandwidthMbps = transferMs > 0 ? 2.0 * payloadBytes / (transferMs / 1e3) / 1e6 : 0,
            P50RoundTripMs = p50,
            P99RoundTripMs = p99,
            PayloadBytes = payloadBytes,
        };
        LogMeasured(measurement.FromNode, address, measurement.LatencyMs, p99, measurement.BandwidthMbps, payloadBytes, repeats);
        return measurement;
    }

    public void Dispose()
    {
        foreach (var channel in channels.Values)
        {
            channel.Dispose();
        }
    }

    private static async Task<double> RoundTripAsync(Contracts.Shards.Shard.ShardClient client, EchoPayload payload, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        await client.EchoAsync(payload, deadline: DateTime.UtcNow + CallDeadline, cancellationToken: cancellationToken);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static byte[] RandomBytes(int count)
    {
        // Random, so that no layer of the transport can shrink it.
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Link {FromNode} -> {Address}: {LatencyMs:F3} ms one way (p99 round trip {P99Ms:F3} ms), {BandwidthMBps:F1} MB/s with {PayloadBytes}-byte payloads x{Repeats}")]
    private partial void LogMeasured(string fromNode, string address, double latencyMs, double p99Ms, double bandwidthMBps, int payloadBytes, int repeats);
}
