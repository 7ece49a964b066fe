using Dnet.Analytics.Apis;
using Dnet.Analytics.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapAnnotateApi();
app.MapRequestsApi();
app.MapGroupsApi();
app.MapStatusApi();

app.Run();
