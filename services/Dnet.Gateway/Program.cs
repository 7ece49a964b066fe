using Dnet.Gateway.Apis;
using Dnet.Gateway.Ring;
using Dnet.ServiceDefaults.Http;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApiKeyAuthentication();
builder.AddGatewayRing();

var app = builder.Build();

app.UseRateLimiter();
app.MapChatCompletionsApi();
app.MapCompletionsApi();
app.MapModelsApi();
app.MapClusterApi();
// Cluster-internal, so not behind the public API key: both require the cluster secret instead.
app.MapClusterJoinApi();
app.MapGrpcService<TokenSinkApi>().AllowAnonymous();
app.MapTraceControlApi();
app.MapPrometheusScrapingEndpoint();
app.MapDefaultEndpoints();

app.Run();
