using Dnet.Gateway.Apis;
using Dnet.Gateway.Ring;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayRing();

var app = builder.Build();

app.MapChatCompletionsApi();
app.MapClusterApi();
app.MapClusterJoinApi();
app.MapGrpcService<TokenSinkApi>();
app.MapTraceControlApi();
app.MapPrometheusScrapingEndpoint();
app.MapDefaultEndpoints();

app.Run();
