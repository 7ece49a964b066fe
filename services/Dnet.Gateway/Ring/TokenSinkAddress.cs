using Dnet.ServiceDefaults.Cluster;

namespace Dnet.Gateway.Ring;

/// <summary>
/// Where shards send tokens and errors: <c>Dnet:Gateway:TokenSink</c> when set, else the gateway's own <c>grpc</c>
/// endpoint at its advertised address (<c>Dnet:Network:Advertise</c>), which shards on other machines can reach.
/// </summary>
internal sealed class TokenSinkAddress(IConfiguration configuration, NetworkSettings network)
{
    public string Address => configuration["Dnet:Gateway:TokenSink"] is { Length: > 0 } configured
        ? configured
        : configuration["Kestrel:Endpoints:grpc:Url"] is { } url && Uri.TryCreate(url.Replace("://+:", "://localhost:").Replace("://*:", "://localhost:"), UriKind.Absolute, out var uri)
            ? network.AdvertisedUrl(uri.Port)
            : throw new InvalidOperationException("The gateway has no Kestrel endpoint named grpc for its token sink (nor Dnet:Gateway:TokenSink).");
}
