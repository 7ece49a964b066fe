using Dnet.Contracts.Cluster;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace Dnet.ServiceDefaults.Cluster;

/// <summary>
/// Refuses a gRPC call that does not present the cluster secret (<see cref="ClusterSecretMetadata.Key"/>) with
/// <c>Unauthenticated</c>, before the service sees any of it. Added per service (the shard's API, the gateway's token
/// sink), so the standard gRPC health service stays open to probes.
/// </summary>
/// <param name="secret">The cluster's secret.</param>
/// <param name="logger">Logs each refused call with its peer.</param>
public sealed partial class ClusterSecretInterceptor(ClusterSecret secret, ILogger<ClusterSecretInterceptor> logger) : Interceptor
{
    /// <summary>The status detail of a refused call.</summary>
    public const string RefusedDetail =
        "this endpoint only answers members of the Dnet cluster: the call did not present the cluster secret (Dnet:Cluster:Secret)";

    /// <inheritdoc />
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(request, context);
    }

    /// <inheritdoc />
    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(requestStream, context);
    }

    /// <inheritdoc />
    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(request, responseStream, context);
    }

    /// <inheritdoc />
    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Admit(ServerCallContext context)
    {
        if (!secret.Admits(context.RequestHeaders.GetValue(ClusterSecretMetadata.Key)))
        {
            LogRefused(context.Method, context.Peer);
            throw new RpcException(new Status(StatusCode.Unauthenticated, RefusedDetail));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} from {Peer}: no or wrong cluster secret")]
    private partial void LogRefused(string method, string peer);
}
