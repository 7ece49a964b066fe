using Dnet.Analytics.Apis;
using Dnet.Analytics.Extensions;
using Dnet.ServiceDefaults.Http;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApiKeyAuthentication();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapAnnotateApi();
app.MapRequestsApi();
app.MapGroupsApi();
app.MapStatusApi();

app.Run();
