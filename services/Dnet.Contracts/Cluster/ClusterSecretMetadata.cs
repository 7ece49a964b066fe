using Grpc.Core;
using Grpc.Net.Client;

namespace Dnet.Contracts.Cluster;

/// <summary>
/// How a member proves it belongs to the cluster on a cluster-internal gRPC call: the cluster secret in the call
/// metadata entry <see cref="Key"/>. Shards and the gateway's token sink refuse calls without it.
/// </summary>
public static class ClusterSecretMetadata
{
    /// <summary>The metadata (HTTP/2 header) name that carries the secret.</summary>
    public const string Key = "dnet-cluster-secret";

    /// <summary>The HTTP header the gateway's join endpoint reads the secret from.</summary>
    public const string HttpHeader = "Dnet-Cluster-Secret";

    /// <summary>
    /// Makes every call of a channel built with <paramref name="options"/> carry <paramref name="secret"/>; no change
    /// when the secret is null or empty (a cluster on loopback only). The channels are cleartext HTTP/2, so the call
    /// credentials must be allowed on an insecure channel explicitly.
    /// </summary>
    /// <param name="options">The channel options to extend.</param>
    /// <param name="secret">The cluster secret, or null when the cluster has none.</param>
    public static GrpcChannelOptions WithClusterSecret(this GrpcChannelOptions options, string? secret)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(secret))
        {
            return options;
        }

        var credentials = CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add(Key, secret);
            return Task.CompletedTask;
        });
        options.Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, credentials);
        options.UnsafeUseInsecureChannelCallCredentials = true;
        return options;
    }
}
