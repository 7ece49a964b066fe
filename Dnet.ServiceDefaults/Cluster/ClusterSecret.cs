using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace Dnet.ServiceDefaults.Cluster;

/// <summary>
/// The secret members of one cluster share (<c>Dnet:Cluster:Secret</c>, from the AppHost's <c>cluster-secret</c>
/// parameter). Cluster-internal gRPC calls present it; shards and the gateway's token sink refuse calls without it.
/// </summary>
public sealed class ClusterSecret
{
    /// <summary>The configuration key.</summary>
    public const string Key = "Dnet:Cluster:Secret";

    private readonly byte[]? digest;

    /// <summary>A secret of <paramref name="value"/>; null or empty means the cluster has none.</summary>
    /// <param name="value">The secret.</param>
    public ClusterSecret(string? value)
    {
        Value = string.IsNullOrEmpty(value) ? null : value;
        digest = Value is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(Value));
    }

    /// <summary>The secret, or null when the cluster has none (only allowed on loopback).</summary>
    public string? Value { get; }

    /// <summary>Whether calls must present the secret.</summary>
    public bool IsSet => Value is not null;

    /// <summary>Whether <paramref name="presented"/> may call: any caller when no secret is set, else only the secret.</summary>
    /// <param name="presented">What the caller sent, if anything.</param>
    public bool Admits(string? presented)
    {
        if (digest is null)
        {
            return true;
        }

        // Digests of equal length compared in constant time: neither the secret's length nor a prefix leaks by timing.
        return presented is not null && CryptographicOperations.FixedTimeEquals(digest, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
    }

    /// <summary>Reads <see cref="Key"/>.</summary>
    /// <param name="configuration">The service's configuration.</param>
    public static ClusterSecret From(IConfiguration configuration) => new(configuration?[Key]);
}
