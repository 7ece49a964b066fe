using System.Collections.Concurrent;
using Dnet.Contracts.Cluster;
using Dnet.Contracts.Shards;
using Dnet.ServiceDefaults.Cluster;
using Dnet.ServiceDefaults.Cluster.Membership;
using Grpc.Net.Client;
using StackExchange.Redis;

namespace Dnet.Planner.Infrastructure;

/// <summary>
/// The shards the planner plans over: the cluster's members in Redis (<see cref="ClusterMembers"/>), so a restarted
/// planner knows every shard, wherever it runs. One gRPC channel per shard address, presenting the cluster secret.
/// </summary>
public sealed class ShardDirectory(IServiceProvider services, ClusterSecret secret) : IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> channels = new();

    /// <summary>Every live member, in name order. Throws <see cref="NoShardsException"/> when membership cannot be read.</summary>
    public async Task<IReadOnlyList<ShardEndpoint>> EndpointsAsync(CancellationToken cancellationToken)
    {
        var members = services.GetService<ClusterMembers>()
            ?? throw new NoShardsException("the planner has no cluster Redis (ConnectionStrings:redis), where shards register as members");
        try
        {
            return [.. (await members.ListAsync(cancellationToken)).Select(m => new ShardEndpoint(m.Node, m.Address, m.Host, m.Source))];
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            throw new NoShardsException($"cannot read the cluster's members from Redis: {exception.Message}");
        }
    }

    public Shard.ShardClient Client(string address) =>
        new(channels.GetOrAdd(address, a => GrpcChannel.ForAddress(a, new GrpcChannelOptions { MaxReceiveMessageSize = 16 * 1024 * 1024 }
            .WithClusterSecret(secret.Value))));

    public void Dispose()
    {
        foreach (var channel in channels.Values)
        {
            channel.Dispose();
        }
    }
}
