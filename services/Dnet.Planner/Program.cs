using Dnet.Planner.Apis;
using Dnet.Planner.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapPlannerApi();
app.MapDefaultEndpoints();

app.Run();
