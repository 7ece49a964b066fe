using System.Net.Http.Json;
using Dnet.Contracts.Tracing;
using Dnet.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dnet.Tracing.Tests;

/// <summary>
/// A Dnet process as the services build it (<c>AddServiceDefaults()</c>), on Kestrel at 127.0.0.1:0, with the trace
/// control API mapped so a test can read its state and counters.
/// </summary>
internal sealed class TestNode : IAsyncDisposable
{
    private readonly WebApplication app;

    private TestNode(WebApplication app, HttpClient client)
    {
        this.app = app;
        Client = client;
    }

    public HttpClient Client { get; }

    public static async Task<TestNode> StartAsync(string node, RedisServer? redis, IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var configuration = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Dnet:Node"] = node,
            ["ConnectionStrings:redis"] = redis?.ConnectionString,
        };
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddServiceDefaults();

        var app = builder.Build();
        app.MapTraceControlApi();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        var address = app.Urls.First();
        return new TestNode(app, new HttpClient { BaseAddress = new Uri(address) });
    }

    public async Task<TraceStatus> StatusAsync() =>
        await Client.GetFromJsonAsync("/v1/trace", TracingJsonContext.Default.TraceStatus)
            ?? throw new InvalidOperationException("empty GET /v1/trace");

    /// <summary>Polls this node's status until <paramref name="holds"/> or <paramref name="timeout"/> passes.</summary>
    public async Task<TraceStatus> WaitForStatusAsync(Func<TraceStatus, bool> holds, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await StatusAsync();
            if (holds(status) || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
