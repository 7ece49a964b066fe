using Dnet.Shard.Apis;
using Dnet.Shard.Cluster;
using Dnet.Shard.Profiling;
using Dnet.Shard.Ring;

var builder = WebApplication.CreateBuilder(args);

// A shard started on its own (no AppHost on its machine) reads its flags and joins through the gateway.
ShardCommandLine.Apply(builder, args);
using (var startup = LoggerFactory.Create(logging => logging.AddConsole()))
{
    ClusterJoin.Apply(builder, startup.CreateLogger("Dnet.Shard.Cluster"));
}

builder.AddServiceDefaults();
builder.AddShardRing();
builder.AddShardMembership();
builder.AddDeviceProfiling();

var app = builder.Build();

app.MapGrpcService<ShardApi>();
app.MapGrpcHealthChecksService();
app.MapDefaultEndpoints();

app.Run();
