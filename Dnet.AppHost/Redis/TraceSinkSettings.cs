using System.Net;
using Microsoft.Extensions.Configuration;

namespace Dnet.AppHost.Redis;

/// <summary>
/// Where the cluster's Redis keeps the span stream, and who may reach it.
/// <list type="bullet">
/// <item><c>Dnet:Redis:DataDirectory</c>: the local redis-server's data directory (append-only file); default
/// <c>&lt;user data dir&gt;/dnet/clusters/&lt;Dnet:ClusterName&gt;/redis</c> (on Linux <c>~/.local/share/...</c>).</item>
/// <item><c>Dnet:Redis:BindAddress</c>: the address redis-server listens on, default <c>127.0.0.1</c>, or the cluster's
/// bind address when the cluster is reachable from other machines (<see cref="ClusterNetwork"/>: shards there keep
/// their membership in this Redis). Anything that is not loopback makes Redis require the password of the secret
/// parameter <c>redis-password</c>; members on other machines get the connection string with it from the gateway's
/// join endpoint, which answers only callers with the cluster secret.</item>
/// </list>
/// </summary>
/// <param name="Cluster">The cluster name (<see cref="ClusterName"/>).</param>
/// <param name="DataDirectory">Absolute path of the data directory.</param>
/// <param name="BindAddress">Listening address.</param>
internal sealed record TraceSinkSettings(string Cluster, string DataDirectory, string BindAddress)
{
    public const string DataDirectoryKey = "Dnet:Redis:DataDirectory";
    public const string BindAddressKey = "Dnet:Redis:BindAddress";
    public const string PasswordParameter = "redis-password";
    private const string PasswordKey = $"Parameters:{PasswordParameter}";

    /// <summary>Whether only this machine can connect; otherwise Redis requires <see cref="PasswordParameter"/>.</summary>
    public bool LoopbackOnly => BindAddress == "localhost" || (IPAddress.TryParse(BindAddress, out var address) && IPAddress.IsLoopback(address));

    /// <summary>The container's named volume for this cluster.</summary>
    public string VolumeName => $"{Cluster}-redis-data";

    public static TraceSinkSettings From(IDistributedApplicationBuilder builder, ClusterNetwork network)
    {
        var configuration = builder.Configuration;
        var cluster = builder.Name();
        var bind = configuration[BindAddressKey] is { Length: > 0 } address
            ? address.Trim()
            : network.BeyondLoopback ? network.RedisBindAddress : "127.0.0.1";
        if (bind != "localhost" && !IPAddress.TryParse(bind, out _))
        {
            throw new DistributedApplicationException($"{BindAddressKey} must be an IP address (e.g. 127.0.0.1, 0.0.0.0, 10.0.0.5); got '{bind}'.");
        }

        var settings = new TraceSinkSettings(cluster, DefaultDataDirectory(configuration, cluster), bind);
        if (!settings.LoopbackOnly && builder.ExecutionContext.IsRunMode)
        {
            CheckPassword(configuration[PasswordKey]);
        }

        return settings;
    }

    private static string DefaultDataDirectory(IConfiguration configuration, string cluster)
    {
        if (configuration[DataDirectoryKey] is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }

        var userData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(userData))
        {
            throw new DistributedApplicationException($"No user data directory is known (HOME unset?): set {DataDirectoryKey}.");
        }

        return Path.Combine(userData, "dnet", "clusters", cluster, "redis");
    }

    private static void CheckPassword(string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            throw new DistributedApplicationException(
                $"{BindAddressKey} is not a loopback address, so Redis needs a password: set the secret parameter " +
                $"{PasswordParameter} (dotnet user-secrets set {PasswordKey} <password> --project Dnet.AppHost).");
        }

        // A comma ends a StackExchange.Redis connection-string option; quotes, backslashes and spaces would need
        // escaping in redis.conf. Refuse them rather than half-apply a password.
        if (password.Length < 16 || password.Any(c => c is ',' or '"' or '\'' or '\\' || char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new DistributedApplicationException(
                $"{PasswordParameter} must be at least 16 characters without spaces, commas, quotes or backslashes.");
        }
    }
}
