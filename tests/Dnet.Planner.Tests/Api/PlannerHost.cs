using System.Net.Http.Json;
using System.Text.Json;
using Dnet.Planner.Apis;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Dnet.Planner.Tests.Api;

/// <summary>The real planner on a real Kestrel port, pointed at the given shard gRPC addresses.</summary>
internal sealed class PlannerHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<PlanRequest> factory;

    public PlannerHost(IReadOnlyDictionary<string, string> shardAddresses)
    {
        factory = new WebApplicationFactory<PlanRequest>().WithWebHostBuilder(web =>
        {
            web.ConfigureLogging(logging => logging.ClearProviders());
            web.ConfigureAppConfiguration(config => config.AddInMemoryCollection(
                shardAddresses.Select(s => KeyValuePair.Create($"services:{s.Key}:grpc:0", (string?)s.Value))));
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
