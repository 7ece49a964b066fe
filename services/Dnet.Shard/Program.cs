using Dnet.Shard.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddGrpc();
builder.Services.AddGrpcHealthChecks();
builder.Services.AddHealthChecks()
    .AddPendingCapability("model-slice", "loading a layer range and forwarding activations");

var app = builder.Build();

app.MapGrpcService<ShardApi>();
app.MapGrpcHealthChecksService();
app.MapDefaultEndpoints();

app.Run();
