using System.Net;
using Dnet.Contracts.Cluster;
using Dnet.ServiceDefaults.Cluster;
using Dnet.ServiceDefaults.Http;
using StackExchange.Redis;

namespace Dnet.Gateway.Apis;

/// <summary>
/// <c>GET /cluster/join</c>: what a shard started on another machine needs to become a member, i.e. the Redis
/// connection string members use (<c>Dnet:Cluster:MemberRedis</c>, else the gateway's own with its advertised address
/// in place of a loopback host). It carries Redis's password, so the caller must present the cluster secret in the
/// <c>Dnet-Cluster-Secret</c> header (when the cluster has one); anything else is a 401. The public API key does not
/// apply: members are not API clients.
/// </summary>
internal static class ClusterJoinApi
{
    public static IEndpointRouteBuilder MapClusterJoinApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cluster/join", (HttpRequest request, ClusterSecret secret, NetworkSettings network, IConfiguration configuration) =>
        {
            if (!secret.Admits(request.Headers[ClusterSecretMetadata.HttpHeader].FirstOrDefault()))
            {
                return OpenAiError.InvalidRequest(
                    $"Joining the cluster needs the cluster secret in the {ClusterSecretMetadata.HttpHeader} header.", ClusterSecretMetadata.HttpHeader, "invalid_cluster_secret")
                    .ToResult(StatusCodes.Status401Unauthorized);
            }

            var redis = configuration["Dnet:Cluster:MemberRedis"] is { Length: > 0 } configured
                ? configured
                : configuration.GetConnectionString("redis") is { Length: > 0 } own
                    ? Advertised(own, network)
                    : null;
            return redis is null
                ? OpenAiError.Server("The gateway has no cluster Redis to hand out (ConnectionStrings:redis).", "no_cluster_redis")
                    .ToResult(StatusCodes.Status503ServiceUnavailable)
                : Results.Json(new { redis });
        })
            // Members present the cluster secret, not a client's API key.
            .AllowAnonymous();
        return app;
    }

    /// <summary>The connection string with every loopback endpoint moved to this machine's advertised host.</summary>
    private static string Advertised(string connectionString, NetworkSettings network)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        for (var i = 0; i < options.EndPoints.Count; i++)
        {
            var (host, port) = options.EndPoints[i] switch
            {
                DnsEndPoint dns => (dns.Host, dns.Port),
                IPEndPoint ip => (ip.Address.ToString(), ip.Port),
                _ => (null, 0),
            };
            if (host is "localhost" || (host is not null && IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address)))
            {
                options.EndPoints[i] = new DnsEndPoint(network.AdvertisedHost, port);
            }
        }

        return options.ToString(includePassword: true);
    }
}
