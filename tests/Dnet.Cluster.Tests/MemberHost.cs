using System.Net;
using Dnet.ServiceDefaults.Cluster.Membership;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dnet.Cluster.Tests;

/// <summary>
/// A real web host that is a cluster member through the service defaults' registration (heartbeats every 200 ms,
/// records living 1 s), on a real loopback port.
/// </summary>
internal sealed class MemberHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private MemberHost(WebApplication app) => this.app = app;

    public string Address => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

    public string Instance { get; } = Guid.NewGuid().ToString("n");

    public static async Task<MemberHost> StartAsync(string node, string redis)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis,
            ["Dnet:Node"] = node,
            ["Dnet:Cluster:HeartbeatInterval"] = "00:00:00.200",
            ["Dnet:Cluster:MemberTtl"] = "00:00:01",
        });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        MemberHost? host = null;
        builder.AddClusterMember(_ => new ClusterMember(node, host!.Address, Environment.MachineName, ClusterMember.JoinedSource, host.Instance, DateTimeOffset.UtcNow));
        var app = builder.Build();
        host = new MemberHost(app);
        await app.StartAsync();
        return host;
    }

    /// <summary>What the member's <c>membership</c> health check says now.</summary>
    public async Task<HealthReportEntry> MembershipHealthAsync() =>
        (await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Name == "membership")).Entries["membership"];

    /// <summary>A clean shutdown (what Ctrl+C or SIGTERM do).</summary>
    public Task StopAsync() => app.StopAsync();

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
