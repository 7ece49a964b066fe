using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace Dnet.ServiceDefaults.Cluster;

/// <summary>Which interfaces a node listens on (<see cref="NetworkSettings.BindKey"/>).</summary>
public enum NetworkBind
{
    /// <summary>Loopback only: nothing outside this machine can connect (the default).</summary>
    Loopback,

    /// <summary>Every interface.</summary>
    Any,

    /// <summary>One address of this machine (and loopback, for local clients and health probes).</summary>
    Address,
}

/// <summary>
/// Where this node listens and the address it gives others. <c>Dnet:Network:Bind</c> is <c>loopback</c> (default),
/// <c>any</c> or an IP address of this machine; <c>Dnet:Network:Advertise</c> is the host name or address other nodes
/// use to reach this one: default <c>localhost</c> on loopback, the bind address when one is given, and the machine's
/// primary address (the one its default route leaves from) with <c>any</c>.
/// </summary>
public sealed record NetworkSettings
{
    /// <summary>The configuration key of the bind setting.</summary>
    public const string BindKey = "Dnet:Network:Bind";

    /// <summary>The configuration key of the advertised host.</summary>
    public const string AdvertiseKey = "Dnet:Network:Advertise";

    private NetworkSettings(NetworkBind bind, IPAddress? bindAddress, string advertisedHost)
    {
        Bind = bind;
        BindAddress = bindAddress;
        AdvertisedHost = advertisedHost;
    }

    /// <summary>Which interfaces this node listens on.</summary>
    public NetworkBind Bind { get; }

    /// <summary>The address listened on when <see cref="Bind"/> is <see cref="NetworkBind.Address"/>.</summary>
    public IPAddress? BindAddress { get; }

    /// <summary>The host name or IP address other nodes use to reach this one.</summary>
    public string AdvertisedHost { get; }

    /// <summary>Whether other machines can connect.</summary>
    public bool BeyondLoopback => Bind != NetworkBind.Loopback;

    /// <summary>The host part of a Kestrel URL that listens as <see cref="Bind"/> says (loopback: null, keep what is configured).</summary>
    public string? ListenHost => Bind switch
    {
        NetworkBind.Any => "0.0.0.0",
        NetworkBind.Address => UrlHost(BindAddress!.ToString()),
        _ => null,
    };

    /// <summary>The URL others use to reach this node's <paramref name="port"/>, e.g. <c>http://10.0.0.7:5300</c>.</summary>
    /// <param name="port">A port this node listens on.</param>
    public string AdvertisedUrl(int port) => $"http://{UrlHost(AdvertisedHost)}:{port}";

    /// <summary>Reads the settings; a bind value that is not loopback, any or an IP address is refused with a clear error.</summary>
    /// <param name="configuration">The service's configuration.</param>
    public static NetworkSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var text = configuration[BindKey]?.Trim();
        var (bind, address) = text?.ToLowerInvariant() switch
        {
            null or "" or "loopback" or "localhost" => (NetworkBind.Loopback, null),
            "any" or "*" or "0.0.0.0" or "::" => (NetworkBind.Any, null),
            _ when IPAddress.TryParse(text, out var ip) => IPAddress.IsLoopback(ip) ? (NetworkBind.Loopback, null) : (NetworkBind.Address, ip),
            _ => throw new InvalidOperationException(
                $"{BindKey} must be 'loopback', 'any' or an IP address of this machine (e.g. 10.0.0.7); got '{text}'."),
        };

        var advertised = configuration[AdvertiseKey]?.Trim() is { Length: > 0 } configured
            ? configured
            : bind switch
            {
                NetworkBind.Address => address!.ToString(),
                NetworkBind.Any => PrimaryAddress()?.ToString() ?? throw new InvalidOperationException(
                    $"{BindKey} is 'any' but this machine has no non-loopback IPv4 address to advertise: set {AdvertiseKey}."),
                _ => "localhost",
            };
        return new NetworkSettings(bind, address, advertised);
    }

    /// <summary>
    /// The address the default route leaves from (connecting a UDP socket sends nothing), else the first address of an
    /// interface that is up and not loopback.
    /// </summary>
    private static IPAddress? PrimaryAddress()
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            // TEST-NET-1 (RFC 5737): routed like any outside address, never answered.
            probe.Connect(IPAddress.Parse("192.0.2.1"), 9);
            if (probe.LocalEndPoint is IPEndPoint { Address: var local } && !IPAddress.IsLoopback(local) && !local.Equals(IPAddress.Any))
            {
                return local;
            }
        }
        catch (SocketException)
        {
            // No default route: fall back to the interfaces.
        }

        return System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(nic => nic.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up
                && nic.NetworkInterfaceType != System.Net.NetworkInformation.NetworkInterfaceType.Loopback)
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Select(unicast => unicast.Address)
            .FirstOrDefault(ip => ip.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(ip));
    }

    private static string UrlHost(string host) =>
        IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
}
