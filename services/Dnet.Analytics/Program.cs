using Dnet.Analytics.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("redis");
builder.Services.AddHealthChecks()
    .AddCheck<RedisRoundTripHealthCheck>("redis-roundtrip", tags: ["ready"])
    .AddPendingCapability("annotate", "span stream consumer, annotate tables and request stats");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
