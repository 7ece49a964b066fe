using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Dnet.Analytics.Tests;

[TestClass]
public sealed class ApiTests
{
    [TestMethod]
    [DataRow("last=0", "last")]
    [DataRow("last=abc", "last")]
    [DataRow("sort=fastest", "sort")]
    [DataRow("self=cluster", "self")]
    [DataRow("since=yesterday", "since")]
    [DataRow("exclude_wait=maybe", "exclude_wait")]
    [DataRow("format=pdf", "format")]
    [DataRow("requets=chatcmpl-1", "requets")]
    [DataRow("since=1m&until=5m", "until")]
    public async Task Bad_annotate_queries_answer_400_with_an_error_object(string query, string param)
    {
        var stream = TestRedis.NewStream();
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key);

        var (status, body, contentType) = await host.GetAsync($"/analytics/annotate?{query}");

        Assert.AreEqual(HttpStatusCode.BadRequest, status, body);
        Assert.AreEqual("application/json", contentType);
        var error = JsonNode.Parse(body)!["error"]!;
        Assert.AreEqual("invalid_request_error", (string)error["type"]!);
        Assert.AreEqual(param, (string)error["param"]!);
        Assert.IsFalse(string.IsNullOrWhiteSpace((string)error["message"]!));
        Assert.IsNotNull((string)error["code"]!);
    }

    [TestMethod]
    public async Task Good_annotate_queries_answer_in_every_format()
    {
        var stream = TestRedis.NewStream();
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key);
        var trace = new RequestTrace("chatcmpl-formats");
        await stream.AddAsync("shard-0", trace.Shard(0));
        await stream.AddAsync("gateway", trace.Gateway());
        await host.WaitForJsonAsync($"/analytics/requests/{trace.RequestId}?format=json", s => (long)s["span_count"]! == 21);

        var query = "node=shard-0&service=Dnet.Shard&prefix=compute.&since=1h&exclude_wait=true&sort=total&self=trace";
        var markdown = await host.GetAsync($"/analytics/annotate?{query}&format=markdown");
        Assert.AreEqual("text/markdown", markdown.ContentType);
        StringAssert.Contains(markdown.Body, "| compute.forward |");
        Assert.DoesNotContain("network.rx", markdown.Body);
        var html = await host.GetAsync($"/analytics/annotate?{query}&format=html");
        Assert.AreEqual("text/html", html.ContentType);
        StringAssert.Contains(html.Body, "<table");
        var json = await host.GetJsonAsync($"/analytics/annotate?{query}&format=json");
        Assert.AreEqual(8, (long)json["header"]!["span_count"]!);
        Assert.AreEqual("total", (string)json["header"]!["sort"]!);
        var inAnHour = DateTimeOffset.UtcNow.AddHours(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var future = await host.GetJsonAsync($"/analytics/annotate?since={Uri.EscapeDataString(inAnHour)}&format=json");
        Assert.AreEqual(0, (long)future["header"]!["span_count"]!);
        var unescaped = await host.GetJsonAsync($"/analytics/annotate?since={inAnHour}&format=json");
        Assert.AreEqual(0, (long)unescaped["header"]!["span_count"]!, "a '+' offset sent unescaped still parses");
        var anHourAgo = await host.GetJsonAsync($"/analytics/annotate?since={DateTimeOffset.UtcNow.AddHours(-1):yyyy-MM-ddTHH:mm:ssZ}&format=json");
        Assert.AreEqual(21, (long)anHourAgo["header"]!["span_count"]!);
    }

    [TestMethod]
    public async Task Unknown_requests_answer_404_and_request_stats_render_as_text_and_markdown()
    {
        var stream = TestRedis.NewStream();
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key);

        var missing = await host.GetAsync("/analytics/requests/chatcmpl-nope");
        Assert.AreEqual(HttpStatusCode.NotFound, missing.Status);
        Assert.AreEqual("request_not_found", (string)JsonNode.Parse(missing.Body)!["error"]!["code"]!);
        var none = await host.GetAsync("/analytics/requests/last?format=markdown");
        Assert.AreEqual(HttpStatusCode.NotFound, none.Status);
        Assert.AreEqual(HttpStatusCode.BadRequest, (await host.GetAsync("/analytics/requests?last=-1")).Status);
        Assert.AreEqual(HttpStatusCode.BadRequest, (await host.GetAsync("/analytics/requests/last?format=html")).Status);

        var trace = new RequestTrace("chatcmpl-rendered");
        await stream.AddAsync("gateway", trace.Gateway());
        await stream.AddAsync("shard-0", trace.Shard(0));
        await host.WaitForJsonAsync($"/analytics/requests/{trace.RequestId}?format=json", s => (long)s["span_count"]! == 21);

        var last = await host.GetAsync("/analytics/requests/last?format=markdown");
        Assert.AreEqual("text/markdown", last.ContentType);
        StringAssert.Contains(last.Body, $"| request {trace.RequestId} |");
        StringAssert.Contains(last.Body, "| ttft ms | 20.000 |");
        StringAssert.Contains(last.Body, "| shard-0 |");
        var text = await host.GetAsync($"/analytics/requests/{trace.RequestId}");
        Assert.AreEqual("text/plain", text.ContentType);
        StringAssert.Contains(text.Body, "ttft");
        var list = await host.GetAsync("/analytics/requests?format=markdown");
        StringAssert.Contains(list.Body, $"| {trace.RequestId} | complete | tiny |");
        var listText = await host.GetAsync("/analytics/requests?last=5");
        StringAssert.Contains(listText.Body, "1 shown of 1 kept");
    }

    [TestMethod]
    public async Task A_custom_group_is_validated_listed_and_appears_in_request_stats()
    {
        var stream = TestRedis.NewStream();
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key);

        foreach (var bad in new object[] { new { name = "wait", prefixes = new[] { "x" } }, new { name = "attention" }, new { name = "a b", prefixes = new[] { "x" } }, new { name = "attention", prefixes = new[] { "compute..execute" } } })
        {
            using var rejected = await host.Http.PostAsJsonAsync("/analytics/groups", bad);
            Assert.AreEqual(HttpStatusCode.BadRequest, rejected.StatusCode);
            Assert.AreEqual("invalid_request_error", (string)JsonNode.Parse(await rejected.Content.ReadAsStringAsync())!["error"]!["type"]!);
        }

        using var notJson = await host.Http.PostAsync("/analytics/groups", new StringContent("{name:", System.Text.Encoding.UTF8, "application/json"));
        Assert.AreEqual(HttpStatusCode.BadRequest, notJson.StatusCode);

        using var added = await host.Http.PostAsJsonAsync("/analytics/groups", new { name = "attention", prefixes = new[] { "compute.execute" } });
        Assert.AreEqual(HttpStatusCode.Created, added.StatusCode);
        var groups = await host.GetJsonAsync("/analytics/groups");
        var attention = groups["groups"]!.AsArray().Single(g => (string)g!["name"]! == "attention")!;
        Assert.AreEqual("compute.execute", (string)attention["prefixes"]![0]!);

        var trace = new RequestTrace("chatcmpl-grouped");
        await stream.AddAsync("gateway", trace.Gateway());
        await stream.AddAsync("shard-0", trace.Shard(0));
        var stats = await host.WaitForJsonAsync($"/analytics/requests/{trace.RequestId}?format=json", s => (long)s["span_count"]! == 21);
        var shard = stats["nodes"]!.AsArray().Single(n => (string)n!["node"]! == "shard-0")!;
        var group = shard["groups"]!.AsArray().Single(g => (string)g!["group"]! == "attention")!;
        Assert.AreEqual(RequestTrace.Tokens * RequestTrace.ExecuteNs / 1e6, (double)group["self_ms"]!, 1e-6);
    }

    [TestMethod]
    public async Task Health_is_ready_once_the_consumer_reads_the_stream()
    {
        var stream = TestRedis.NewStream();
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key);

        var health = await host.WaitForJsonAsync("/health", h => (bool)h["ready"]!);
        Assert.AreEqual("Healthy", (string)health["checks"]!["span-consumer"]!["status"]!);
        Assert.IsNull(health["checks"]!["annotate"], "the pending-capability placeholder is gone");
    }

    [TestMethod]
    public async Task Groups_from_configuration_are_listed()
    {
        var stream = TestRedis.NewStream();
        await using var host = AnalyticsHost.Start(
            TestRedis.Server.ConnectionString, stream.Key, ("Dnet:Analytics:Groups:kv:0", "memory.kv"), ("Dnet:Analytics:Groups:kv:1", "memory.warmup"));

        var groups = (await host.GetJsonAsync("/analytics/groups"))["groups"]!.AsArray();

        var kv = groups.Single(g => (string)g!["name"]! == "kv")!;
        CollectionAssert.AreEqual(new[] { "memory.kv", "memory.warmup" }, kv["prefixes"]!.AsArray().Select(p => (string)p!).ToArray());
        CollectionAssert.AreEqual(new[] { "compute", "network", "memory", "kv", "wait", "other" }, groups.Select(g => (string)g!["name"]!).ToArray());
    }
}
