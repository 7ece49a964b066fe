using System.Net.Http.Json;
using System.Text.Json;
using Dnet.Planner.Apis;
using Dnet.ServiceDefaults.Cluster;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Dnet.Planner.Tests.Api;

/// <summary>The real planner on a real Kestrel port, finding shards through membership in the given Redis.</summary>
internal sealed class PlannerHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<PlanRequest> factory;

    public PlannerHost(string redis, string? secret = FakeShard.Secret)
    {
        factory = new WebApplicationFactory<PlanRequest>().WithWebHostBuilder(web =>
        {
            web.ConfigureLogging(logging => logging.ClearProviders());
            // Settings, not app configuration: the planner reads them while its builder is being set up.
            web.UseSetting("ConnectionStrings:redis", redis);
            web.UseSetting(ClusterSecret.Key, secret);
        });
        factory.UseKestrel(0);
        factory.StartServer();
        Http = factory.CreateClient();
    }

    public HttpClient Http { get; }

    public async Task<(int Status, JsonElement Body)> PostAsync(string path, object body)
    {
        using var response = await Http.PostAsJsonAsync(path, body);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    public async Task<(int Status, JsonElement Body)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await factory.DisposeAsync();
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
