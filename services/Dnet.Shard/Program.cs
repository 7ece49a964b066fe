using Dnet.Shard.Apis;
using Dnet.Shard.Profiling;
using Dnet.Shard.Ring;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddShardRing();
builder.AddDeviceProfiling();

var app = builder.Build();

app.MapGrpcService<ShardApi>();
app.MapGrpcHealthChecksService();
app.MapDefaultEndpoints();

app.Run();
