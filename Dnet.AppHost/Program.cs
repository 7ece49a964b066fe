using Dnet.AppHost;
using Dnet.AppHost.Redis;
using Dnet.AppHost.Supervision;

var builder = DistributedApplication.CreateBuilder(args);

var network = ClusterNetwork.From(builder.Configuration);
var secret = builder.AddClusterSecret();
var redis = builder.AddTraceSink("redis", network).WithRestartOnCrash();
var apiKey = builder.AddApiKey();
var model = builder.AddModelParameter();

var shardCount = builder.ShardCount();
var shardGroup = builder.AddShardGroup(shardCount);
var shards = Enumerable.Range(0, shardCount)
    .Select(index => network.Apply(builder.AddShard(index))
        .WithParentRelationship(shardGroup)
        .WithClusterSecret(secret)
        .WithModelRoots(builder.Configuration)
        .WithReference(redis).WaitFor(redis)
        .WithRestartOnCrash())
    .ToList();

// The planner finds shards through membership in Redis, wherever they run.
var planner = builder.AddProject<Projects.Dnet_Planner>("planner")
    .WithoutTls()
    .WithClusterSecret(secret)
    .WithReference(redis).WaitFor(redis)
    .WithHttpHealthCheck("/health")
    .WithRestartOnCrash();

var analytics = builder.AddProject<Projects.Dnet_Analytics>("analytics")
    .WithoutTls()
    .WithReference(redis).WaitFor(redis)
    .WithApiKey(apiKey)
    .WithPublicHttpEndpoint()
    .WithPerfViews(apiKey)
    .WithDashboardLinks()
    .WithHttpHealthCheck("/health")
    .WithRestartOnCrash();

// The gateway tells shards its advertised gRPC address as the token sink (TokenSinkAddress), not a loopback one.
var gateway = network.ApplyToGateway(builder.AddProject<Projects.Dnet_Gateway>("gateway")
    .WithoutTls()
    .WithGrpcEndpoint()
    .WithClusterSecret(secret)
    .WithReference(redis).WaitFor(redis)
    .WithReference(planner).WaitFor(planner)
    .WithReference(analytics)
    .WithApiKey(apiKey)
    .WithPublicHttpEndpoint()
    .WithModelSettings(builder, model)
    .WithClusterCommands(model, apiKey)
    .WithHttpHealthCheck("/health")
    .WithRestartOnCrash());

foreach (var shard in shards)
{
    gateway.WaitFor(shard);
}

builder.Build().Run();
