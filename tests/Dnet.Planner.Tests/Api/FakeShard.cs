using System.Net;
using Dnet.Contracts.Shards;
using Dnet.Shard.Profiling;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dnet.Planner.Tests.Api;

/// <summary>
/// A shard's gRPC surface for the planner to talk to, on a real HTTP/2 Kestrel port: a fixed profile, Echo, and
/// MeasureLink through the real <see cref="LinkProber"/>.
/// </summary>
internal sealed class FakeShard : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeShard(WebApplication app, string address) => (this.app, Address) = (app, address);

    public string Address { get; }

    public static async Task<FakeShard> StartAsync(DeviceProfile profile)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(profile);
        builder.AddDeviceProfiling();
        var app = builder.Build();
        app.MapGrpcService<Service>();
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeShard(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private sealed class Service(DeviceProfile profile, LinkProber prober) : Contracts.Shards.Shard.ShardBase
    {
        public override Task<DeviceProfile> GetProfile(ProfileRequest request, ServerCallContext context) =>
            Task.FromResult(new DeviceProfile(profile) { ComputeDtype = request.ComputeDtype });

        public override Task<EchoPayload> Echo(EchoPayload request, ServerCallContext context) => Task.FromResult(request);

        public override Task<LinkMeasurement> MeasureLink(MeasureLinkRequest request, ServerCallContext context) =>
            prober.MeasureAsync(request.TargetAddress, request.PayloadBytes, request.Repeats, context.CancellationToken);
    }
}
