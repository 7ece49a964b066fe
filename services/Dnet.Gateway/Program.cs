var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddHealthChecks()
    .AddPendingCapability("chat-completions", "OpenAI chat completions over the shard ring");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
