using Dnet.Contracts.Shards;
using Grpc.Core;

namespace Dnet.Planner.Infrastructure;

/// <summary>A shard that did not answer.</summary>
public sealed record UnreachableShard(string Node, string Address, string Error);

/// <summary>A shard's profile together with where it was reached.</summary>
public sealed record ReachedShard(ShardEndpoint Endpoint, DeviceProfile Profile);

/// <summary>A shard's description of its copy of a model.</summary>
public sealed record ShardCopy(ShardEndpoint Endpoint, ModelDescription Description);

/// <summary>The planner's gRPC conversations with the shards: model copies, device profiles and link measurements.</summary>
public sealed partial class ShardFleet(ShardDirectory directory, ILogger<ShardFleet> logger)
{
    /// <summary>The first GetProfile call on a shard runs its benchmarks (about a second); later calls are cached.</summary>
    public static readonly TimeSpan ProfileDeadline = TimeSpan.FromSeconds(15);

    /// <summary>One link measurement: a few dozen round trips.</summary>
    public static readonly TimeSpan LinkDeadline = TimeSpan.FromSeconds(30);

    /// <summary>Hashing a copy's small files; a shard that takes longer is as good as unreachable for planning.</summary>
    public static readonly TimeSpan DescribeDeadline = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Asks every shard in <paramref name="endpoints"/> at once what its copy of <paramref name="model"/> is; a shard
    /// that does not answer is unreachable. Also how a frozen member is found quickly, before any longer call.
    /// </summary>
    public async Task<(IReadOnlyList<ShardCopy> Answered, IReadOnlyList<UnreachableShard> Unreachable)> DescribeAsync(
        IReadOnlyList<ShardEndpoint> endpoints, string model, CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(endpoints.Select(async endpoint =>
        {
            try
            {
                var description = await directory.Client(endpoint.Address).DescribeModelAsync(
                    new DescribeModelRequest { Model = model }, deadline: DateTime.UtcNow + DescribeDeadline, cancellationToken: cancellationToken);
                return (Copy: new ShardCopy(endpoint, description), Unreachable: (UnreachableShard?)null);
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                LogUnreachable(endpoint.Node, endpoint.Address, e.Status.StatusCode, e.Status.Detail);
                return (Copy: (ShardCopy?)null, Unreachable: new UnreachableShard(endpoint.Node, endpoint.Address, $"{e.Status.StatusCode}: {e.Status.Detail}"));
            }
        }));
        return ([.. answers.Select(a => a.Copy).OfType<ShardCopy>()], [.. answers.Select(a => a.Unreachable).OfType<UnreachableShard>()]);
    }

    public async Task<(IReadOnlyList<ReachedShard> Reached, IReadOnlyList<UnreachableShard> Unreachable)> ProfilesAsync(
        IReadOnlyList<ShardEndpoint> endpoints, string computeDtype, CancellationToken cancellationToken)
    {
        // One shard at a time: shards sharing a machine would otherwise benchmark against each other on the same cores.
        var reached = new List<ReachedShard>();
        var unreachable = new List<UnreachableShard>();
        foreach (var endpoint in endpoints)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Node} at {Address} did not answer: {StatusCode} {Detail}")]
    private partial void LogUnreachable(string node, string address, StatusCode statusCode, string detail);
}

/// <summary>A shard call the planner needed failed.</summary>
public sealed class ShardCallException(string message) : Exception(message);
