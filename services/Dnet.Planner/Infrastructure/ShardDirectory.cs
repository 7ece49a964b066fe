using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Dnet.Contracts.Shards;
using Grpc.Net.Client;

namespace Dnet.Planner.Infrastructure;

/// <summary>
/// The shards the planner knows, from the service-discovery configuration Aspire injects for each referenced
/// <c>grpc</c> endpoint (<c>services:shard-N:grpc:0</c>), and one gRPC channel per shard.
/// </summary>
public sealed partial class ShardDirectory(IConfiguration configuration) : IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> channels = new();

    public IReadOnlyList<ShardEndpoint> Endpoints =>
        [.. configuration.GetSection("services").GetChildren()
            .Select(service => (service.Key, Match: ShardName().Match(service.Key), Address: service["grpc:0"]))
            .Where(s => s.Match.Success && !string.IsNullOrWhiteSpace(s.Address))
            .Select(s => new ShardEndpoint(s.Key, int.Parse(s.Match.Groups[1].Value, CultureInfo.InvariantCulture), s.Address!))
            .OrderBy(s => s.Index)];

    public Shard.ShardClient Client(string address) =>
        new(channels.GetOrAdd(address, a => GrpcChannel.ForAddress(a, new GrpcChannelOptions { MaxReceiveMessageSize = 16 * 1024 * 1024 })));

    public void Dispose()
    {
        foreach (var channel in channels.Values)
        {
            channel.Dispose();
        }
    }

    [GeneratedRegex(@"^shard-(\d+)$")]
    private static partial Regex ShardName();
}
