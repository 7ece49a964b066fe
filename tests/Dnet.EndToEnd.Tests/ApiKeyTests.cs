using System.Net;
using System.Text.Json;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// With the AppHost's <c>api-key</c> set, every gateway and analytics endpoint but <c>/health</c> and <c>/alive</c>
/// needs <c>Authorization: Bearer &lt;key&gt;</c>: no key and a wrong key get 401 with an OpenAI error object and change
/// nothing, the right key works.
/// </summary>
[TestClass]
public sealed class ApiKeyTests
{
    private const string Right = $"Bearer {SecuredCluster.ApiKey}";

    private static readonly (string Resource, HttpMethod Method, string Path, string? Body)[] Endpoints =
    [
        ("gateway", HttpMethod.Get, "/v1/models", null),
        ("gateway", HttpMethod.Get, $"/v1/models/{Cluster.ModelId}", null),
        ("gateway", HttpMethod.Post, "/v1/chat/completions", """{"model":"dnet-tiny","messages":[{"role":"user","content":"hi"}],"max_tokens":2}"""),
        ("gateway", HttpMethod.Post, "/v1/completions", """{"model":"dnet-tiny","prompt":"hi","max_tokens":2}"""),
        ("gateway", HttpMethod.Get, "/v1/cluster/devices", null),
        ("gateway", HttpMethod.Get, "/v1/cluster/topology", null),
        ("gateway", HttpMethod.Post, "/v1/cluster/topology/prepare", "{}"),
        ("gateway", HttpMethod.Get, "/v1/trace", null),
        ("gateway", HttpMethod.Post, "/v1/trace", """{"enabled":true}"""),
        ("analytics", HttpMethod.Get, "/analytics/annotate", null),
        ("analytics", HttpMethod.Get, "/analytics/requests", null),
        ("analytics", HttpMethod.Get, "/analytics/status", null),
        ("analytics", HttpMethod.Get, "/analytics/groups", null),
    ];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task EveryEndpointRefusesAMissingOrWrongKeyAndServesTheRightOne()
    {
        foreach (var (resource, method, path, body) in Endpoints)
        {
            foreach (var (authorization, code) in new[] { ((string?)null, "missing_api_key"), ("Bearer wrong-key", "invalid_api_key"), ($"Basic {SecuredCluster.ApiKey}", "invalid_api_key") })
            {
                var (status, text) = await SendAsync(resource, method, path, body, authorization);
                Assert.AreEqual(HttpStatusCode.Unauthorized, status, $"{method} {path} with {authorization ?? "no key"}: {text}");
                Assert.AreEqual(code, JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("code").GetString());
            }

            var (okStatus, okText) = await SendAsync(resource, method, path, body, Right);
            Assert.AreEqual(HttpStatusCode.OK, okStatus, $"{method} {path} with the key: {okText}");
        }
    }

    [TestMethod]
    [DataRow("gateway", "/health")]
    [DataRow("gateway", "/alive")]
    [DataRow("analytics", "/health")]
    [DataRow("analytics", "/alive")]
    public async Task HealthNeedsNoKey(string resource, string path)
    {
        var (status, text) = await SendAsync(resource, HttpMethod.Get, path, null, null);

        Assert.AreEqual(HttpStatusCode.OK, status, text);
    }

    [TestMethod]
    public async Task AnUnauthenticatedUnloadIsRefusedAndTheModelStaysLoadedWhileTheRightKeyUnloadsAndLoads()
    {
        var (noKey, _) = await SendAsync("gateway", HttpMethod.Post, "/v1/cluster/unload", "{}", null);
        var (wrongKey, _) = await SendAsync("gateway", HttpMethod.Post, "/v1/cluster/load", """{"model":"dnet-tiny"}""", "Bearer wrong");
        var (traceOff, _) = await SendAsync("gateway", HttpMethod.Post, "/v1/trace", """{"enabled":false}""", null);

        Assert.AreEqual(HttpStatusCode.Unauthorized, noKey);
        Assert.AreEqual(HttpStatusCode.Unauthorized, wrongKey);
        Assert.AreEqual(HttpStatusCode.Unauthorized, traceOff);
        Assert.AreEqual(1, await ModelCountAsync(), "the model is still served");
        var (_, trace) = await SendAsync("gateway", HttpMethod.Get, "/v1/trace", null, Right);
        Assert.IsTrue(JsonDocument.Parse(trace).RootElement.GetProperty("enabled").GetBoolean(), "tracing is still on");
        var (chat, chatText) = await SendAsync("gateway", HttpMethod.Post, "/v1/chat/completions",
            """{"model":"dnet-tiny","messages":[{"role":"user","content":"still here?"}],"max_tokens":2}""", Right);
        Assert.AreEqual(HttpStatusCode.OK, chat, chatText);

        var (unloaded, unloadText) = await SendAsync("gateway", HttpMethod.Post, "/v1/cluster/unload", "{}", Right);
        Assert.AreEqual(HttpStatusCode.OK, unloaded, unloadText);
        Assert.AreEqual(0, await ModelCountAsync());
        var (loaded, loadText) = await SendAsync("gateway", HttpMethod.Post, "/v1/cluster/load", """{"model":"dnet-tiny"}""", Right);
        Assert.AreEqual(HttpStatusCode.OK, loaded, loadText);
        Assert.AreEqual(1, await ModelCountAsync());
    }

    private async Task<int> ModelCountAsync()
    {
        var (_, models) = await SendAsync("gateway", HttpMethod.Get, "/v1/models", null, Right);
        return JsonDocument.Parse(models).RootElement.GetProperty("data").GetArrayLength();
    }

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(string resource, HttpMethod method, string path, string? body, string? authorization)
    {
        using var client = await SecuredCluster.ClientAsync(resource, authorization, TestContext.CancellationToken);
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request, TestContext.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
    }
}
