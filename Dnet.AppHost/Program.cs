using Dnet.AppHost;
using Dnet.AppHost.Redis;

var builder = DistributedApplication.CreateBuilder(args);

var network = ClusterNetwork.From(builder.Configuration);
var secret = builder.AddClusterSecret();
var redis = builder.AddTraceSink("redis", network);

var shardCount = builder.ShardCount();
var shards = Enumerable.Range(0, shardCount)
    .Select(index => network.Apply(builder.AddShard(index, shardCount))
        .WithClusterSecret(secret)
        .WithModelRoots(builder.Configuration)
        .WithReference(redis).WaitFor(redis))
    .ToList();

// The planner finds shards through membership in Redis, wherever they run.
var planner = builder.AddProject<Projects.Dnet_Planner>("planner")
    .WithClusterSecret(secret)
    .WithReference(redis).WaitFor(redis)
    .WithHttpHealthCheck("/health");

var analytics = builder.AddProject<Projects.Dnet_Analytics>("analytics")
    .WithReference(redis).WaitFor(redis)
    .WithPerfViews()
    .WithDashboardLinks()
    .WithHttpHealthCheck("/health");

var gateway = network.ApplyToGateway(builder.AddProject<Projects.Dnet_Gateway>("gateway")
    .WithGrpcEndpoint()
    .WithClusterSecret(secret)
    .WithReference(redis).WaitFor(redis)
    .WithReference(planner).WaitFor(planner)
    .WithReference(analytics)
    .WithModelSettings(builder.Configuration)
    .WithHttpHealthCheck("/health"));

foreach (var shard in shards)
{
    gateway.WaitFor(shard);
}

builder.Build().Run();
