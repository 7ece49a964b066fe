using System.Text;
using System.Text.Json;
using Aspire.Hosting.Testing;

namespace Dnet.EndToEnd.Tests;

/// <summary>Every malformed request gets the OpenAI error object with the right status, never a crash or a hang.</summary>
[TestClass]
public sealed class BadInputTests
{
    private const string Hello = """[{"role":"user","content":"hi"}]""";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("{not json", 400, null, "malformed JSON")]
    [DataRow("""[1, 2]""", 400, null, "body not an object")]
    [DataRow("""{"model":"dnet-tiny"}""", 400, "messages", "missing messages")]
    [DataRow("""{"model":"dnet-tiny","messages":[]}""", 400, "messages", "empty messages")]
    [DataRow("""{"model":"dnet-tiny","messages":"hi"}""", 400, "messages", "messages of the wrong type")]
    [DataRow("""{"model":"dnet-tiny","messages":[{"role":"wizard","content":"hi"}]}""", 400, "messages[0].role", "unknown role")]
    [DataRow("""{"model":"dnet-tiny","messages":[{"role":"user","content":42}]}""", 400, "messages[0].content", "content of the wrong type")]
    [DataRow("""{"model":"dnet-tiny","messages":[{"role":"user"}]}""", 400, "messages[0].content", "missing content")]
    [DataRow("""{"messages":HELLO}""", 400, "model", "missing model")]
    [DataRow("""{"model":"dnet-tiny","messages":HELLO,"max_tokens":0}""", 400, "max_tokens", "max_tokens below 1")]
    [DataRow("""{"model":"dnet-tiny","messages":HELLO,"max_tokens":"ten"}""", 400, "max_tokens", "max_tokens of the wrong type")]
    [DataRow("""{"model":"dnet-tiny","messages":HELLO,"max_tokens":100000000}""", 400, "max_tokens", "max_tokens beyond the context")]
    [DataRow("""{"model":"dnet-tiny","messages":HELLO,"temperature":2.5}""", 400, "temperature", "temperature above 2")]
    [DataRow("""{"model":"dnet-tiny","messages":HELLO,"temperature":-1}""", 400, "temperature", "negative temperature")]
    [DataRow("""{"model":"dnet-tiny","messages":HELLO,"top_p":0}""", 400, "top_p", "top_p of 0")]
    [DataRow("""{"model":"dnet-tiny","messages":HELLO,"top_p":1.5}""", 400, "top_p", "top_p above 1")]
    [DataRow("""{"model":"dnet-tiny","messages":HELLO,"n":2}""", 400, "n", "n above 1")]
    [DataRow("""{"model":"dnet-tiny","messages":HELLO,"top_logprobs":3}""", 400, "top_logprobs", "top_logprobs without logprobs")]
    [DataRow("""{"model":"dnet-tiny","messages":HELLO,"stop":[1]}""", 400, "stop", "stop of the wrong type")]
    [DataRow("""{"model":"dnet-tiny","messages":HELLO,"stream":"yes"}""", 400, "stream", "stream of the wrong type")]
    [DataRow("""{"model":"gpt-9","messages":HELLO}""", 404, "model", "unknown model")]
    public async Task BadRequestGetsAnOpenAiError(string body, int status, string? param, string because)
    {
        using var response = await PostAsync(body.Replace("HELLO", Hello, StringComparison.Ordinal));

        await AssertErrorAsync(response, status, param, because);
    }

    [TestMethod]
    public async Task PromptLongerThanTheContextIsRejected()
    {
        var huge = string.Join(' ', Enumerable.Repeat("lighthouse keeper", 4000));
        var body = JsonSerializer.Serialize(new { model = Cluster.ModelId, messages = new[] { new { role = "user", content = huge } } });

        using var response = await PostAsync(body);

        var error = await AssertErrorAsync(response, 400, "messages", "a prompt beyond the context");
        Assert.AreEqual("context_length_exceeded", error.GetProperty("code").GetString());
    }

    private async Task<HttpResponseMessage> PostAsync(string body)
    {
        await Cluster.App.ResourceNotifications.WaitForResourceHealthyAsync("gateway", TestContext.CancellationToken);
        using var http = Cluster.App.CreateHttpClient("gateway", "http");
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await http.PostAsync("/v1/chat/completions", content, TestContext.CancellationToken);
    }

    private async Task<JsonElement> AssertErrorAsync(HttpResponseMessage response, int status, string? param, string because)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.AreEqual(status, (int)response.StatusCode, $"{because}: {text}");
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.IsFalse(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()), because);
        Assert.AreEqual("invalid_request_error", error.GetProperty("type").GetString(), because);
        if (param is not null)
        {
            Assert.AreEqual(param, error.GetProperty("param").GetString(), because);
        }

        return error.Clone();
    }
}
