using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Dnet.Analytics.Tests;

/// <summary>
/// The API key guards every analytics endpoint but health, and values that came from requests (request ids, model
/// and node names) reach the Markdown and HTML views only escaped.
/// </summary>
[TestClass]
public sealed class SecurityTests
{
    private const string Key = "analytics-test-key";

    [TestMethod]
    [DataRow("/analytics/annotate")]
    [DataRow("/analytics/requests")]
    [DataRow("/analytics/requests/last")]
    [DataRow("/analytics/status")]
    [DataRow("/analytics/groups")]
    [DataRow("/no/such/endpoint")]
    public async Task Every_endpoint_needs_the_key_when_one_is_set(string path)
    {
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, TestRedis.NewStream().Key, ("Dnet:ApiKey", Key));

        var missing = await SendAsync(host, path, null);
        var wrong = await SendAsync(host, path, "Bearer not-the-key");
        var notBearer = await SendAsync(host, path, $"Basic {Key}");
        var right = await SendAsync(host, path, $"Bearer {Key}");

        AssertUnauthorized(missing, "missing_api_key");
        AssertUnauthorized(wrong, "invalid_api_key");
        AssertUnauthorized(notBearer, "invalid_api_key");
        // With the key the endpoint answers as it does without one: an empty store has no last request.
        var expected = path is "/no/such/endpoint" or "/analytics/requests/last" ? HttpStatusCode.NotFound : HttpStatusCode.OK;
        Assert.AreEqual(expected, right.Status, right.Body);
    }

    [TestMethod]
    public async Task A_post_without_the_key_changes_nothing()
    {
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, TestRedis.NewStream().Key, ("Dnet:ApiKey", Key));
        using var add = new HttpRequestMessage(HttpMethod.Post, "/analytics/groups")
        {
            Content = new StringContent("""{"name":"intruder","prefixes":["compute."]}""", System.Text.Encoding.UTF8, "application/json"),
        };

        using var refused = await host.Http.SendAsync(add);
        var groups = await SendAsync(host, "/analytics/groups", $"Bearer {Key}");

        Assert.AreEqual(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain("intruder", groups.Body);
    }

    [TestMethod]
    [DataRow("/health")]
    [DataRow("/alive")]
    public async Task Health_answers_without_the_key(string path)
    {
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, TestRedis.NewStream().Key, ("Dnet:ApiKey", Key));

        var answer = await SendAsync(host, path, null);

        Assert.AreNotEqual(HttpStatusCode.Unauthorized, answer.Status, answer.Body);
    }

    [TestMethod]
    public async Task Without_a_configured_key_nothing_is_checked()
    {
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, TestRedis.NewStream().Key);

        var answer = await SendAsync(host, "/analytics/status", "Bearer anything");

        Assert.AreEqual(HttpStatusCode.OK, answer.Status, answer.Body);
    }

    [TestMethod]
    public async Task Hostile_request_id_model_and_node_are_escaped_in_markdown_and_html()
    {
        // No '/': a route segment keeps an encoded slash encoded.
        const string HostileId = "chatcmpl-<script>alert(1)|`x`";
        const string HostileModel = "<img src=x onerror=alert(2)>*[m](javascript:m)";
        const string HostileNode = "<b>shard</b>|0";
        var stream = TestRedis.NewStream();
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key);
        var trace = new RequestTrace(HostileId, model: HostileModel);
        await stream.AddAsync(HostileNode, trace.Shard(0));
        await stream.AddAsync("gateway", trace.Gateway());
        var escapedId = Uri.EscapeDataString(HostileId);
        await host.WaitForJsonAsync($"/analytics/requests/{escapedId}?format=json", s => (long)s["span_count"]! == 21);

        var stats = (await host.GetAsync($"/analytics/requests/{escapedId}?format=markdown")).Body;
        var list = (await host.GetAsync("/analytics/requests?format=markdown")).Body;
        var annotate = (await host.GetAsync($"/analytics/annotate?request={escapedId}&format=markdown")).Body;
        var html = (await host.GetAsync($"/analytics/annotate?request={escapedId}&format=html")).Body;

        foreach (var (name, body) in new[] { ("stats", stats), ("list", list), ("annotate", annotate), ("html", html) })
        {
            Assert.DoesNotContain("<script", body, name);
            Assert.DoesNotContain("<img", body, name);
            Assert.DoesNotContain("<b>shard", body, name);
        }

        foreach (var markdown in new[] { stats, list, annotate })
        {
            Assert.DoesNotContain("](javascript", markdown, "a Markdown link");
        }

        StringAssert.Contains(stats, "chatcmpl-&lt;script&gt;alert\\(1\\)\\|\\`x\\`");
        StringAssert.Contains(stats, "&lt;b&gt;shard&lt;/b&gt;\\|0");
        StringAssert.Contains(list, "&lt;img src=x onerror=alert\\(2\\)&gt;\\*\\[m\\]\\(javascript:m\\)");
        StringAssert.Contains(html, "chat &lt;img src=x onerror=alert(2)&gt;");
    }

    [TestMethod]
    public async Task A_request_is_found_by_the_x_request_id_it_was_sent_with()
    {
        var stream = TestRedis.NewStream();
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key);
        // As the gateway names them: its own x-request-id, and a client's one made unique with a suffix.
        var generated = new RequestTrace("chatcmpl-5f0c2b9a1d7e4c3b8a6f0e1d2c3b4a59");
        var chosen = new RequestTrace("cmpl-client-42.retry-0a1b2c3d");
        var other = new RequestTrace("cmpl-client-42.retry.2-0a1b2c3d");
        foreach (var trace in new[] { generated, chosen, other })
        {
            await stream.AddAsync("gateway", trace.Gateway());
        }

        await host.WaitForJsonAsync($"/analytics/requests/{other.RequestId}?format=json", s => (long)s["span_count"]! == 5);

        var byGenerated = await host.GetJsonAsync("/analytics/requests/5f0c2b9a1d7e4c3b8a6f0e1d2c3b4a59?format=json");
        var byChosen = await host.GetJsonAsync("/analytics/requests/client-42.retry?format=json");
        var (status, body, _) = await host.GetAsync("/analytics/requests/client-4?format=json");

        Assert.AreEqual(generated.RequestId, (string)byGenerated["request_id"]!);
        Assert.AreEqual(chosen.RequestId, (string)byChosen["request_id"]!);
        Assert.AreEqual(HttpStatusCode.NotFound, status, "a prefix of an x-request-id is not a match");
        Assert.AreEqual("request_not_found", (string)JsonNode.Parse(body)!["error"]!["code"]!);
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(AnalyticsHost host, string path, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null)
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        using var response = await host.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static void AssertUnauthorized((HttpStatusCode Status, string Body) answer, string code)
    {
        Assert.AreEqual(HttpStatusCode.Unauthorized, answer.Status, answer.Body);
        var error = JsonNode.Parse(answer.Body)!["error"]!;
        Assert.AreEqual(code, (string)error["code"]!);
        Assert.AreEqual("invalid_request_error", (string)error["type"]!);
    }
}
