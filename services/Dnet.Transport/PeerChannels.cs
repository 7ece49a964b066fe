using System.Net;
using Grpc.Net.Client;

namespace Dnet.Transport;

/// <summary>
/// gRPC channels between Dnet processes: cleartext HTTP/2 with keep-alive pings, so a peer that stops answering
/// (killed, frozen) is noticed within seconds instead of when the OS gives up on the TCP connection.
/// </summary>
public static class PeerChannels
{
    /// <summary>Opens a channel to <paramref name="address"/> (e.g. <c>http://localhost:5301</c>).</summary>
    public static GrpcChannel Open(string address) =>
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
        });
}
