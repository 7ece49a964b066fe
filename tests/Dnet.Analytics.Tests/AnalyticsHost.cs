using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Dnet.Analytics.Tests;

/// <summary>The analytics service as a real Kestrel host on 127.0.0.1, reading a test's stream.</summary>
internal sealed class AnalyticsHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;

    private AnalyticsHost(Dictionary<string, string?> settings)
    {
        this.settings = settings;
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
    }

    public HttpClient Http { get; private set; } = null!;

    public static AnalyticsHost Start(string redis, string stream, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis,
            ["Dnet:Analytics:Stream"] = stream,
            ["Dnet:Analytics:Group"] = TestStream.Group,
            ["Dnet:Analytics:Consumer"] = TestStream.Consumer,
            ["Dnet:Analytics:BlockMilliseconds"] = "100",
            ["Dnet:Analytics:RetryMaxMilliseconds"] = "500",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var host = new AnalyticsHost(settings);
        host.StartServer();
        host.Http = host.CreateClient();
        return host;
    }

    public async Task<(HttpStatusCode Status, string Body, string? ContentType)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    public async Task<JsonNode> GetJsonAsync(string path)
    {
        var (status, body, _) = await GetAsync(path);
        Assert.AreEqual(HttpStatusCode.OK, status, body);
        return JsonNode.Parse(body)!;
    }

    /// <summary>Polls <paramref name="path"/> until it answers 200 and <paramref name="done"/> holds, for up to 10 s.</summary>
    public async Task<JsonNode> WaitForJsonAsync(string path, Func<JsonNode, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var (status, body, _) = await GetAsync(path);
            if (status == HttpStatusCode.OK && JsonNode.Parse(body) is { } json && done(json))
            {
                return json;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"GET {path} did not reach the expected state in 10 s; last answer {(int)status}: {body}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits until every entry written so far has been read and acknowledged.</summary>
    public Task<JsonNode> WaitUntilCaughtUpAsync(long entries) =>
        WaitForJsonAsync("/analytics/status", status =>
            (long)status["consumer"]!["state"]!["entries_acknowledged"]! >= entries
            && (long?)status["stream"]?["pending"] == 0);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }

    public override async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        await base.DisposeAsync();
    }
}
