using Dnet.Contracts.Shards;
using Grpc.Core;

namespace Dnet.Gateway.Ring;

/// <summary>
/// The gRPC endpoint shards report to: tokens from the last shard, errors from any shard. Only members of the cluster
/// may write here (the cluster secret, see GatewayRingExtensions): a forged frame could end another user's request.
/// </summary>
internal sealed class TokenSinkApi(RequestRouter router) : TokenSink.TokenSinkBase
{
    public override async Task<StreamClosed> Tokens(IAsyncStreamReader<TokenFrame> requestStream, ServerCallContext context)
    {
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            router.Deliver(requestStream.Current, requestStream.Current.CalculateSize());
        }

        return new StreamClosed();
    }
}
