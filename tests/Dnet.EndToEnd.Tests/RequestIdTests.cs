using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// <c>x-request-id</c> is echoed on every response, errors included, and is part of the completion's id, which is its
/// <c>dnet.request_id</c> in traces: analytics finds the request by either.
/// </summary>
[TestClass]
public sealed class RequestIdTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task ClientRequestIdIsEchoedAndNamesTheCompletionAndItsTrace()
    {
        using var gateway = await GatewayAsync();
        var requestId = $"e2e-{Guid.NewGuid():N}";

        using var response = await PostAsync(gateway, requestId, new { model = Cluster.ModelId, messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 3 });

        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual(requestId, response.Headers.GetValues("x-request-id").Single());
        var id = body.GetProperty("id").GetString()!;
        StringAssert.Matches(id, new System.Text.RegularExpressions.Regex($"^chatcmpl-{requestId}-[0-9a-f]{{8}}$"));

        using var analytics = Cluster.App.CreateHttpClient("analytics", "http");
        var byClientId = await StatsAsync(analytics, requestId);
        Assert.AreEqual(id, byClientId.GetProperty("request_id").GetString(), "analytics finds the trace from the x-request-id alone");
    }

    [TestMethod]
    public async Task WithoutAClientIdTheGatewayMakesOneAndTheCompletionIdContainsIt()
    {
        using var gateway = await GatewayAsync();

        using var response = await PostAsync(gateway, null, new { model = Cluster.ModelId, prompt = "hi", max_tokens = 2 });

        var requestId = response.Headers.GetValues("x-request-id").Single();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
        StringAssert.Matches(requestId, new System.Text.RegularExpressions.Regex("^[0-9a-f]{32}$"));
        Assert.AreEqual($"cmpl-{requestId}", body.GetProperty("id").GetString());
    }

    [TestMethod]
    [DataRow("has spaces in it")]
    [DataRow("<script>")]
    [DataRow("tooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooong")]
    public async Task UnusableClientIdsAreReplacedNotEchoed(string sent)
    {
        using var gateway = await GatewayAsync();

        using var response = await PostAsync(gateway, sent, new { model = Cluster.ModelId, prompt = "hi", max_tokens = 1 });

        var echoed = response.Headers.GetValues("x-request-id").Single();
        Assert.AreNotEqual(sent, echoed);
        StringAssert.Matches(echoed, new System.Text.RegularExpressions.Regex("^[0-9a-f]{32}$"));
    }

    [TestMethod]
    public async Task ErrorsCarryTheRequestIdToo()
    {
        using var gateway = await GatewayAsync();

        using var badRequest = await PostAsync(gateway, "bad-1", new { model = Cluster.ModelId, messages = "no" });
        using var unknownModel = await PostAsync(gateway, "bad-2", new { model = "nope", prompt = "x" });
        using var noRoute = await gateway.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/nowhere") { Headers = { { "x-request-id", "bad-3" } } }, TestContext.CancellationToken);

        Assert.AreEqual("bad-1", badRequest.Headers.GetValues("x-request-id").Single());
        Assert.AreEqual("bad-2", unknownModel.Headers.GetValues("x-request-id").Single());
        Assert.AreEqual("bad-3", noRoute.Headers.GetValues("x-request-id").Single());
        Assert.AreEqual(HttpStatusCode.NotFound, noRoute.StatusCode);
        Assert.AreEqual("unknown_url", (await noRoute.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("error").GetProperty("code").GetString());
    }

    private async Task<HttpClient> GatewayAsync()
    {
        await Cluster.App.ResourceNotifications.WaitForResourceHealthyAsync("gateway", TestContext.CancellationToken);
        return Cluster.App.CreateHttpClient("gateway", "http");
    }

    private async Task<HttpResponseMessage> PostAsync(HttpClient gateway, string? requestId, object body)
    {
        var path = body.GetType().GetProperty("prompt") is null ? "/v1/chat/completions" : "/v1/completions";
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (requestId is not null)
        {
            request.Headers.Add("x-request-id", requestId);
        }

        return await gateway.SendAsync(request, TestContext.CancellationToken);
    }

    private async Task<JsonElement> StatsAsync(HttpClient analytics, string id)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (true)
        {
            using var response = await analytics.GetAsync($"/analytics/requests/{id}?format=json", timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                var stats = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
                if (stats.GetProperty("complete").GetBoolean())
                {
                    return stats;
                }
            }

            await Task.Delay(250, timeout.Token);
        }
    }
}
