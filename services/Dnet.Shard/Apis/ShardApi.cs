using Dnet.Contracts.Shards;
using Grpc.Core;

namespace Dnet.Shard.Apis;

/// <summary>The shard's gRPC surface.</summary>
internal sealed class ShardApi(IConfiguration configuration) : Dnet.Contracts.Shards.Shard.ShardBase
{
    public override Task<ShardStatus> GetStatus(StatusRequest request, ServerCallContext context) =>
        Task.FromResult(new ShardStatus { Node = $"shard-{configuration["Dnet:Shard:Index"]}" });
}
