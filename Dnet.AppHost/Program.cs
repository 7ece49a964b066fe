using Dnet.AppHost;
using Dnet.AppHost.Redis;
using Dnet.AppHost.Supervision;

var builder = DistributedApplication.CreateBuilder(args);

var redis = builder.AddTraceSink("redis").WithRestartOnCrash();
var apiKey = builder.AddApiKey();
var model = builder.AddModelParameter();

var shardCount = builder.ShardCount();
var shardGroup = builder.AddShardGroup(shardCount);
var shards = Enumerable.Range(0, shardCount)
    .Select(index => builder.AddShard(index, shardCount).WithParentRelationship(shardGroup).WithReference(redis).WaitFor(redis).WithRestartOnCrash())
    .ToList();

var planner = builder.AddProject<Projects.Dnet_Planner>("planner")
    .WithoutTls()
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

var gateway = builder.AddProject<Projects.Dnet_Gateway>("gateway")
    .WithoutTls()
    .WithGrpcEndpoint()
    .WithReference(redis).WaitFor(redis)
    .WithReference(planner).WaitFor(planner)
    .WithReference(analytics)
    .WithApiKey(apiKey)
    .WithPublicHttpEndpoint()
    .WithModelSettings(builder, model)
    .WithClusterCommands(model, apiKey)
    .WithHttpHealthCheck("/health")
    .WithRestartOnCrash();
gateway.WithEnvironment("Dnet__Gateway__TokenSink", gateway.GetEndpoint("grpc"));

foreach (var shard in shards)
{
    planner.WithReference(shard.GetEndpoint("grpc")).WaitFor(shard);
    gateway.WaitFor(shard);
}

builder.Build().Run();
