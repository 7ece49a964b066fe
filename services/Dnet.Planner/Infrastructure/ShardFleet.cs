using Dnet.Contracts.Shards;
using Grpc.Core;

namespace Dnet.Planner.Infrastructure;

/// <summary>A shard that did not answer.</summary>
public sealed record UnreachableShard(string Node, string Address, string Error);

/// <summary>A shard's profile together with where it was reached.</summary>
public sealed record ReachedShard(ShardEndpoint Endpoint, DeviceProfile Profile);

/// <summary>The planner's gRPC conversations with the shards: device profiles and link measurements.</summary>
public sealed partial class ShardFleet(ShardDirectory directory, ILogger<ShardFleet> logger)
{
    // The first GetProfile call on a shard runs its benchmarks (about a second); later calls are cached.
    private static readonly TimeSpan ProfileDeadline = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan LinkDeadline = TimeSpan.FromSeconds(30);

    public async Task<(IReadOnlyList<ReachedShard> Reached, IReadOnlyList<UnreachableShard> Unreachable)> ProfilesAsync(
        string computeDtype, CancellationToken cancellationToken)
    {
        // One shard at a time: shards sharing a machine would otherwise benchmark against each other on the same cores.
        var reached = new List<ReachedShard>();
        var unreachable = new List<UnreachableShard>();
        foreach (var endpoint in directory.Endpoints)
        {
            try
            {
                var profile = await directory.Client(endpoint.Address).GetProfileAsync(
                    new ProfileRequest { ComputeDtype = computeDtype },
                    deadline: DateTime.UtcNow + ProfileDeadline,
                    cancellationToken: cancellationToken);
                reached.Add(new ReachedShard(endpoint, profile));
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                LogUnreachable(endpoint.Node, endpoint.Address, e.Status.StatusCode, e.Status.Detail);
                unreachable.Add(new UnreachableShard(endpoint.Node, endpoint.Address, $"{e.Status.StatusCode}: {e.Status.Detail}"));
            }
        }
        return (reached, unreachable);
    }

    /// <summary>
    /// Asks every shard to measure its link to every other shard. Sequential on purpose: concurrent probes would share
    /// the same cores and wires and measure each other.
    /// </summary>
    public async Task<IReadOnlyList<(ShardEndpoint From, ShardEndpoint To, LinkMeasurement Measurement)>> MeasureLinksAsync(
        IReadOnlyList<ShardEndpoint> shards, int payloadBytes, int repeats, CancellationToken cancellationToken)
    {
        var measured = new List<(ShardEndpoint, ShardEndpoint, LinkMeasurement)>();
        foreach (var from in shards)
        {
            foreach (var to in shards.Where(to => to != from))
            {
                try
                {
                    var measurement = await directory.Client(from.Address).MeasureLinkAsync(
                        new MeasureLinkRequest { TargetAddress = to.Address, PayloadBytes = payloadBytes, Repeats = repeats },
                        deadline: DateTime.UtcNow + LinkDeadline,
                        cancellationToken: cancellationToken);
                    measured.Add((from, to, measurement));
                }
                catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new ShardCallException($"{from.Node} could not measure its link to {to.Node} ({to.Address}): {e.Status.StatusCode}: {e.Status.Detail}");
                }
            }
        }
        return measured;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Node} at {Address} did not return a profile: {StatusCode} {Detail}")]
    private partial void LogUnreachable(string node, string address, StatusCode statusCode, string detail);
}

/// <summary>A shard call the planner needed failed.</summary>
public sealed class ShardCallException(string message) : Exception(message);
