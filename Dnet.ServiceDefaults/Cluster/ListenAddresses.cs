using Microsoft.Extensions.Configuration;

namespace Dnet.ServiceDefaults.Cluster;

/// <summary>
/// Moves a service's configured listen addresses off loopback as <see cref="NetworkSettings.Bind"/> says: each Kestrel
/// endpoint (and <c>urls</c>) on a loopback host is rewritten to the bind host, keeping its port and protocols. With a
/// single bind address the loopback listener stays too, under <c>{name}-loopback</c>, so local clients (the AppHost's
/// health probes, the services on this machine) keep connecting to <c>localhost</c>.
/// </summary>
internal static class ListenAddresses
{
    private static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "[::1]"];

    public static Dictionary<string, string?> Overrides(IConfiguration configuration, NetworkSettings network)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (network.ListenHost is not { } host)
        {
            return overrides;
        }

        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Url"] is not { } url || Rehost(url, host) is not { } moved)
            {
                continue;
            }

            overrides[$"Kestrel:Endpoints:{endpoint.Key}:Url"] = moved;
            if (network.Bind == NetworkBind.Address)
            {
                foreach (var setting in endpoint.AsEnumerable(makePathsRelative: true).Where(s => s.Value is not null))
                {
                    overrides[$"Kestrel:Endpoints:{endpoint.Key}-loopback:{setting.Key}"] = setting.Value;
                }
            }
        }

        if (configuration["urls"] is { Length: > 0 } urls)
        {
            var list = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var moved = list.Select(url => Rehost(url, host) ?? url);
            overrides["urls"] = string.Join(';', network.Bind == NetworkBind.Address ? moved.Concat(list).Distinct() : moved);
        }

        return overrides;
    }

    /// <summary><paramref name="url"/> with <paramref name="host"/> in place of a loopback host; null when it is not on loopback.</summary>
    private static string? Rehost(string url, string host)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !LoopbackHosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        return $"{uri.Scheme}://{host}:{uri.Port}{uri.PathAndQuery.TrimEnd('/')}";
    }
}
