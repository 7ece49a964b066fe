using System.Net;
using Dnet.Contracts.Shards;
using Dnet.ServiceDefaults.Cluster;
using Dnet.Transport;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dnet.Cluster.Tests;

/// <summary>
/// The cluster secret on real gRPC over loopback: a service guarded by <see cref="ClusterSecretInterceptor"/> answers
/// only calls that present the secret, every kind of call, while the gRPC health service stays open.
/// </summary>
[TestClass]
public sealed class ClusterSecretTests
{
    private const string Secret = "a-cluster-secret-for-tests";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task CallsWithoutTheSecretAreRefusedAndCallsWithItAnswered()
    {
        await using var host = await GuardedHost.StartAsync(Secret);

        using var anonymous = GrpcChannel.ForAddress(host.Address);
        using var wrong = PeerChannels.Open(host.Address, "not-the-secret");
        using var member = PeerChannels.Open(host.Address, Secret);

        var refused = await Assert.ThrowsExactlyAsync<RpcException>(() => GetStatusAsync(anonymous));
        Assert.AreEqual(StatusCode.Unauthenticated, refused.StatusCode);
        StringAssert.Contains(refused.Status.Detail, "cluster secret");
        Assert.AreEqual(StatusCode.Unauthenticated, (await Assert.ThrowsExactlyAsync<RpcException>(() => GetStatusAsync(wrong))).StatusCode);
        Assert.AreEqual("guarded", (await GetStatusAsync(member)).Node);
        Assert.AreEqual(0, host.ActivationFrames, "nothing reached the service before the refusals");
    }

    [TestMethod]
    public async Task AStreamWithoutTheSecretDeliversNothing()
    {
        await using var host = await GuardedHost.StartAsync(Secret);
        using var anonymous = GrpcChannel.ForAddress(host.Address);

        using var call = new Contracts.Shards.Shard.ShardClient(anonymous).Activations(cancellationToken: TestContext.CancellationToken);
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await call.RequestStream.WriteAsync(new ActivationFrame { RequestId = "victim" }, TestContext.CancellationToken);
            await call.RequestStream.CompleteAsync();
            await call;
        });

        Assert.AreEqual(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.AreEqual(0, host.ActivationFrames);
    }

    [TestMethod]
    public async Task HealthProbesNeedNoSecret()
    {
        await using var host = await GuardedHost.StartAsync(Secret);
        using var anonymous = GrpcChannel.ForAddress(host.Address);

        // Answered at all is the point: the status itself comes from the health check publisher's first round.
        var health = await new Health.HealthClient(anonymous).CheckAsync(new HealthCheckRequest(), cancellationToken: TestContext.CancellationToken);

        Assert.IsNotNull(health);
    }

    [TestMethod]
    public async Task ANodeWithoutASecretAnswersAnyoneOnLoopbackButRefusesToListenBeyondIt()
    {
        await using var open = await GuardedHost.StartAsync(secret: null);
        using var anonymous = GrpcChannel.ForAddress(open.Address);
        Assert.AreEqual("guarded", (await GetStatusAsync(anonymous)).Node);

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration[NetworkSettings.BindKey] = "any";
        var refused = Assert.ThrowsExactly<InvalidOperationException>(() => builder.AddCluster());
        StringAssert.Contains(refused.Message, ClusterSecret.Key);
    }

    private Task<ShardStatus> GetStatusAsync(GrpcChannel channel) =>
        new Contracts.Shards.Shard.ShardClient(channel).GetStatusAsync(new StatusRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: TestContext.CancellationToken).ResponseAsync;

    /// <summary>A gRPC host whose shard service is guarded the way the real shard's is.</summary>
    private sealed class GuardedHost : IAsyncDisposable
    {
        private readonly WebApplication app;
        private readonly Service service;

        private GuardedHost(WebApplication app, Service service) => (this.app, this.service) = (app, service);

        public string Address => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        public int ActivationFrames => service.Frames;

        public static async Task<GuardedHost> StartAsync(string? secret)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Configuration[ClusterSecret.Key] = secret;
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
            builder.AddCluster();
            builder.Services.AddGrpc().AddServiceOptions<Service>(options => options.Interceptors.Add<ClusterSecretInterceptor>());
            builder.Services.AddGrpcHealthChecks();
            var service = new Service();
            builder.Services.AddSingleton(service);
            var app = builder.Build();
            app.MapGrpcService<Service>();
            app.MapGrpcHealthChecksService();
            await app.StartAsync();
            return new GuardedHost(app, service);
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }

    private sealed class Service : Contracts.Shards.Shard.ShardBase
    {
        private int frames;

        public int Frames => frames;

        public override Task<ShardStatus> GetStatus(StatusRequest request, ServerCallContext context) => Task.FromResult(new ShardStatus { Node = "guarded" });

        public override async Task<StreamClosed> Activations(IAsyncStreamReader<ActivationFrame> requestStream, ServerCallContext context)
        {
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                Interlocked.Increment(ref frames);
            }

            return new StreamClosed();
        }
    }
}
