using System.Net;
using Dnet.Contracts.Cluster;
using Grpc.Net.Client;

namespace Dnet.Transport;

/// <summary>
/// gRPC channels between Dnet processes: cleartext HTTP/2 with keep-alive pings, so a peer that stops answering
/// (killed, frozen) is noticed within seconds instead of when the OS gives up on the TCP connection. Every call carries
/// the cluster secret (<see cref="ClusterSecretMetadata"/>).
/// </summary>
public static class PeerChannels
{
    /// <summary>Opens a channel to <paramref name="address"/> (e.g. <c>http://10.0.0.7:5300</c>).</summary>
    /// <param name="address">The peer's gRPC address.</param>
    /// <param name="clusterSecret">The cluster secret every call presents; null on a cluster without one.</param>
    public static GrpcChannel Open(string address, string? clusterSecret) =>
        GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                KeepAlivePingDelay = TimeSpan.FromSeconds(2),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(3),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                ConnectTimeout = TimeSpan.FromSeconds(3),
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            },
            HttpVersion = HttpVersion.Version20,
            MaxReceiveMessageSize = 256 * 1024 * 1024,
            MaxSendMessageSize = 256 * 1024 * 1024,
        }.WithClusterSecret(clusterSecret));
}
