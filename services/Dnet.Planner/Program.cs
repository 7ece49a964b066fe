var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddHealthChecks()
    .AddPendingCapability("topology", "layer assignment solver and device profiles");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
