using System.Net;
using Dnet.Contracts.Shards;
using Dnet.ServiceDefaults.Cluster;
using Dnet.ServiceDefaults.Cluster.Membership;
using Dnet.Shard.Models;
using Dnet.Shard.Profiling;
using Dnet.Shard.Ring;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dnet.Planner.Tests.Api;

/// <summary>
/// A shard's gRPC surface for the planner to talk to, on a real HTTP/2 Kestrel port, guarded by the cluster secret like
/// a real shard: a fixed profile, Echo, MeasureLink through the real <see cref="LinkProber"/>, and DescribeModel
/// through the real <see cref="ModelCopies"/> over its own model root. Given a Redis, it is a cluster member through
/// the real registration, under its profile's node name.
/// </summary>
internal sealed class FakeShard : IAsyncDisposable
{
    public const string Secret = "planner-tests-cluster-secret";

    private readonly WebApplication app;

    private FakeShard(WebApplication app) => this.app = app;

    public string Address => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

    public static async Task<FakeShard> StartAsync(DeviceProfile profile, string? redis = null, string? modelRoot = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [ClusterSecret.Key] = Secret,
            ["Dnet:Node"] = profile.Node,
            ["ConnectionStrings:redis"] = redis,
            [ModelLocator.RootsKey] = modelRoot ?? Path.Combine(Path.GetTempPath(), "dnet-no-models"),
        });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.AddCluster();
        builder.Services.AddGrpc().AddServiceOptions<Service>(options => options.Interceptors.Add<ClusterSecretInterceptor>());
        builder.Services.AddSingleton(profile);
        builder.Services.AddSingleton<ShardIdentity>();
        builder.Services.AddSingleton<ModelLocator>();
        builder.Services.AddSingleton<ModelCopies>();
        builder.AddDeviceProfiling();
        FakeShard? shard = null;
        if (redis is not null)
        {
            builder.AddClusterMember(_ => new ClusterMember(profile.Node, shard!.Address, "test-host", ClusterMember.JoinedSource, Guid.NewGuid().ToString("n"), DateTimeOffset.UtcNow));
        }

        var app = builder.Build();
        app.MapGrpcService<Service>();
        shard = new FakeShard(app);
        await app.StartAsync();
        return shard;
    }

    public async ValueTask DisposeAsync()
    {
        // A clean shutdown: the member leaves the cluster.
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private sealed class Service(DeviceProfile profile, LinkProber prober, ModelCopies copies) : Contracts.Shards.Shard.ShardBase
    {
        public override Task<DeviceProfile> GetProfile(ProfileRequest request, ServerCallContext context) =>
            Task.FromResult(new DeviceProfile(profile) { ComputeDtype = request.ComputeDtype });

        public override Task<EchoPayload> Echo(EchoPayload request, ServerCallContext context) => Task.FromResult(request);

        public override Task<LinkMeasurement> MeasureLink(MeasureLinkRequest request, ServerCallContext context) =>
            prober.MeasureAsync(request.TargetAddress, request.PayloadBytes, request.Repeats, context.CancellationToken);

        public override Task<ModelDescription> DescribeModel(DescribeModelRequest request, ServerCallContext context) =>
            Task.FromResult(copies.Describe(request.Model));
    }
}
