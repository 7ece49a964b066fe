using System.Collections.Concurrent;
using Dnet.Contracts.Shards;
using Dnet.ServiceDefaults.Cluster;
using Dnet.Transport;
using Grpc.Core;

namespace Dnet.Gateway.Ring;

/// <summary>What the last probe of one ring shard found.</summary>
/// <param name="Node">The shard.</param>
/// <param name="Answering">Whether it answered GetStatus within the probe deadline.</param>
/// <param name="HoldsSlice">Whether it still holds the layers the gateway loaded on it.</param>
/// <param name="Error">Why not, or null.</param>
/// <param name="Failures">Probes in a row it did not answer.</param>
/// <param name="LastAnswer">When it last answered.</param>
/// <param name="ActiveSequences">Requests it holds KV cache for, from its last answer.</param>
internal sealed record ShardHealth(string Node, bool Answering, bool HoldsSlice, string? Error, int Failures, DateTimeOffset? LastAnswer, int? ActiveSequences);

/// <summary>
/// Asks every shard of the ring, all at once and with a short deadline, whether it is alive and still holds its slice.
/// The results are kept, so topology and health answer at once even while a shard hangs.
/// </summary>
internal sealed class RingProbe(ClusterSecret secret)
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a reader's live question waits: well under the second <c>/v1/cluster/topology</c> must answer in, with
    /// room for the rest of the request on a busy machine.
    /// </summary>
    public static readonly TimeSpan AskDeadline = TimeSpan.FromMilliseconds(300);

    private readonly ConcurrentDictionary<string, ShardHealth> latest = new();

    public ShardHealth? Latest(string node) => latest.GetValueOrDefault(node);

    public void Forget() => latest.Clear();

    public async Task<IReadOnlyList<ShardHealth>> ProbeAsync(DeployedModel model, CancellationToken cancellationToken) =>
        await Task.WhenAll(model.Shards.Select(shard => ProbeAsync(model, shard, cancellationToken)));

    /// <summary>
    /// One shard's state for a reader (topology): asked now with <see cref="AskDeadline"/>; one that does not answer in
    /// time is reported as the last probe found it, with why this answer is not fresh. Changes no probe state.
    /// </summary>
    public async Task<ShardHealth> AskAsync(DeployedModel model, RingShard shard, CancellationToken cancellationToken)
    {
        var previous = latest.GetValueOrDefault(shard.Node);
        try
        {
            var status = await shard.Client.GetStatusAsync(new StatusRequest(), deadline: DateTime.UtcNow + AskDeadline, cancellationToken: cancellationToken);
            var holds = status.Model == model.Id && status.LayerStart == shard.LayerStart && status.LayerEnd == shard.LayerEnd;
            return new ShardHealth(shard.Node, true, holds, holds ? null : previous?.Error ?? $"{shard.Node} no longer holds its slice",
                0, DateTimeOffset.UtcNow, status.ActiveSequences);
        }
        catch (Exception exception) when (exception is RpcException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
        {
            var why = exception is RpcException rpc ? $"{rpc.Status.StatusCode} {rpc.Status.Detail}" : "the ring was replaced";
            return (previous ?? new ShardHealth(shard.Node, false, true, null, 1, null, null)) with
            {
                Answering = false,
                Error = $"{shard.Node} ({shard.Address}) did not answer within {AskDeadline.TotalMilliseconds:F0} ms: {why}",
            };
        }
    }

    /// <summary>Whether a member the ring left out answers again (a frozen shard that was continued).</summary>
    public async Task<bool> AnswersAsync(string address, CancellationToken cancellationToken)
    {
        using var channel = PeerChannels.Open(address, secret.Value);
        try
        {
            await new Shard.ShardClient(channel).GetStatusAsync(new StatusRequest(), deadline: DateTime.UtcNow + Deadline, cancellationToken: cancellationToken);
            return true;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    private async Task<ShardHealth> ProbeAsync(DeployedModel model, RingShard shard, CancellationToken cancellationToken)
    {
        var previous = latest.GetValueOrDefault(shard.Node);
        ShardHealth health;
        try
        {
            var status = await shard.Client.GetStatusAsync(new StatusRequest(), deadline: DateTime.UtcNow + Deadline, cancellationToken: cancellationToken);
            var holds = status.Model == model.Id && status.LayerStart == shard.LayerStart && status.LayerEnd == shard.LayerEnd;
            health = new ShardHealth(shard.Node, true, holds,
                holds ? null : $"{shard.Node} no longer holds {model.Id} [{shard.LayerStart}, {shard.LayerEnd}) " +
                    $"(it holds {(status.Model.Length == 0 ? "nothing" : $"{status.Model} [{status.LayerStart}, {status.LayerEnd})")})",
                0, DateTimeOffset.UtcNow, status.ActiveSequences);
        }
        catch (RpcException exception) when (!cancellationToken.IsCancellationRequested)
        {
            health = new ShardHealth(shard.Node, false, previous?.HoldsSlice ?? true,
                $"{shard.Node} ({shard.Address}) does not answer: {exception.Status.StatusCode} {exception.Status.Detail}",
                (previous?.Failures ?? 0) + 1, previous?.LastAnswer, previous?.ActiveSequences);
        }
        catch (ObjectDisposedException)
        {
            // The ring was replaced while probing: what the old one says no longer matters.
            health = previous ?? new ShardHealth(shard.Node, true, true, null, 0, null, null);
        }

        latest[shard.Node] = health;
        return health;
    }
}
