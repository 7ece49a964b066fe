using Dnet.AppHost;
using Dnet.AppHost.Redis;

var builder = DistributedApplication.CreateBuilder(args);

var redis = builder.AddTraceSink("redis");

var planner = builder.AddProject<Projects.Dnet_Planner>("planner");

var shards = Enumerable.Range(0, builder.ShardCount())
    .Select(index => builder.AddShard(index).WithReference(redis).WaitFor(redis))
    .ToList();

var analytics = builder.AddProject<Projects.Dnet_Analytics>("analytics")
    .WithReference(redis).WaitFor(redis)
    .WithHttpHealthCheck("/health");

var gateway = builder.AddProject<Projects.Dnet_Gateway>("gateway")
    .WithReference(redis).WaitFor(redis)
    .WithReference(planner).WaitFor(planner)
    .WithReference(analytics)
    .WithHttpHealthCheck("/health");

foreach (var shard in shards)
{
    gateway.WithReference(shard.GetEndpoint("grpc")).WaitFor(shard);
    planner.WithReference(shard.GetEndpoint("http"));
}

planner.WithHttpHealthCheck("/health");

builder.Build().Run();
