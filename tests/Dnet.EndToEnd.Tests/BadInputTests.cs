using System.Net;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.Testing;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// Every malformed request gets the OpenAI error object with the right status and the field at fault, never a crash,
/// a stack trace or a hang; every OpenAI field Dnet does not implement is refused by name.
/// </summary>
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
    [DataRow("""{"model":"dnet-tiny","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""", 400, "messages[0].content[0]", "an image part")]
    [DataRow("""{"model":"dnet-tiny","messages":[{"role":"user","content":"\ud800"}]}""", 400, "messages[0].content", "a lone surrogate")]
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
    [DataRow("""{"model":"dnet-tiny","messages":HELLO,"stream_options":{"include_usage":true}}""", 400, "stream_options", "stream_options without stream")]
    [DataRow("""{"model":"dnet-tiny","messages":HELLO,"logit_bias":{"abc":1}}""", 400, "logit_bias", "a logit_bias key that is no token id")]
    [DataRow("""{"model":"dnet-tiny","messages":HELLO,"logit_bias":{"5":101}}""", 400, "logit_bias", "a logit_bias above 100")]
    [DataRow("""{"model":"dnet-tiny","messages":HELLO,"logit_bias":{"5000000":1}}""", 400, "logit_bias", "a logit_bias token beyond the vocabulary")]
    [DataRow("""{"model":"dnet-tiny","messages":HELLO,"temprature":0.5}""", 400, "temprature", "a misspelt field")]
    [DataRow("""{"model":"gpt-9","messages":HELLO}""", 404, "model", "unknown model")]
    public async Task BadRequestGetsAnOpenAiError(string body, int status, string? param, string because)
    {
        using var response = await PostAsync("/v1/chat/completions", body.Replace("HELLO", Hello, StringComparison.Ordinal));

        await AssertErrorAsync(response, status, param, because);
    }

    /// <summary>Every field of OpenAI's Chat Completions request that Dnet does not implement, refused by name.</summary>
    [TestMethod]
    [DataRow("tools", """[{"type":"function","function":{"name":"f","parameters":{}}}]""")]
    [DataRow("tool_choice", "\"auto\"")]
    [DataRow("functions", """[{"name":"f","parameters":{}}]""")]
    [DataRow("function_call", "\"auto\"")]
    [DataRow("parallel_tool_calls", "true")]
    [DataRow("response_format", """{"type":"json_object"}""")]
    [DataRow("response_format", """{"type":"json_schema","json_schema":{"name":"s","schema":{"type":"object"}}}""")]
    [DataRow("audio", """{"voice":"alloy","format":"wav"}""")]
    [DataRow("modalities", """["text","audio"]""")]
    [DataRow("prediction", """{"type":"content","content":"x"}""")]
    [DataRow("web_search_options", "{}")]
    [DataRow("reasoning_effort", "\"low\"")]
    [DataRow("verbosity", "\"low\"")]
    [DataRow("store", "true")]
    [DataRow("service_tier", "\"flex\"")]
    public async Task UnsupportedChatFieldIsRefusedByName(string field, string value)
    {
        using var response = await PostAsync("/v1/chat/completions", $$"""{"model":"dnet-tiny","messages":{{Hello}},"{{field}}":{{value}}}""");

        var error = await AssertErrorAsync(response, 400, field, field);
        Assert.AreEqual("unsupported_parameter", error.GetProperty("code").GetString());
    }

    [TestMethod]
    [DataRow("tool_calls", """[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]""")]
    [DataRow("audio", """{"id":"a"}""")]
    public async Task UnsupportedMessageFieldIsRefusedByName(string field, string value)
    {
        var body = $$"""{"model":"dnet-tiny","messages":[{"role":"assistant","content":"x","{{field}}":{{value}}}]}""";

        using var response = await PostAsync("/v1/chat/completions", body);

        await AssertErrorAsync(response, 400, $"messages[0].{field}", field);
    }

    [TestMethod]
    public async Task HarmlessFieldsAndTheirNeutralValuesAreAccepted()
    {
        const string Body = """
            {"model":"dnet-tiny","messages":[{"role":"user","content":"hi","name":"ann"}],"max_tokens":2,
             "user":"u1","metadata":{"k":"v"},"store":false,"service_tier":"auto","modalities":["text"],
             "response_format":{"type":"text"},"tool_choice":"none","prompt_cache_key":"p","safety_identifier":"s",
             "logit_bias":{"7":-100},"logprobs":true,"top_logprobs":2,"seed":1}
            """;

        using var response = await PostAsync("/v1/chat/completions", Body);

        var text = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, text);
        Assert.AreEqual("chat.completion", JsonDocument.Parse(text).RootElement.GetProperty("object").GetString());
    }

    [TestMethod]
    [DataRow("""{"model":"dnet-tiny"}""", "prompt", "missing prompt")]
    [DataRow("""{"model":"dnet-tiny","prompt":""}""", "prompt", "empty prompt")]
    [DataRow("""{"model":"dnet-tiny","prompt":[]}""", "prompt", "empty token ids")]
    [DataRow("""{"model":"dnet-tiny","prompt":["a","b"]}""", "prompt", "two prompts")]
    [DataRow("""{"model":"dnet-tiny","prompt":[[1],[2]]}""", "prompt", "two token-id prompts")]
    [DataRow("""{"model":"dnet-tiny","prompt":[1,-2]}""", "prompt", "a negative token id")]
    [DataRow("""{"model":"dnet-tiny","prompt":[1,5000000]}""", "prompt", "a token id beyond the vocabulary")]
    [DataRow("""{"model":"dnet-tiny","prompt":{"text":"x"}}""", "prompt", "a prompt of the wrong type")]
    [DataRow("""{"model":"dnet-tiny","prompt":"\udfff"}""", "prompt", "a lone surrogate")]
    [DataRow("""{"model":"dnet-tiny","prompt":"x","echo":true}""", "echo", "echo")]
    [DataRow("""{"model":"dnet-tiny","prompt":"x","suffix":"y"}""", "suffix", "suffix")]
    [DataRow("""{"model":"dnet-tiny","prompt":"x","best_of":2}""", "best_of", "best_of above 1")]
    [DataRow("""{"model":"dnet-tiny","prompt":"x","n":3}""", "n", "n above 1")]
    [DataRow("""{"model":"dnet-tiny","prompt":"x","logprobs":21}""", "logprobs", "logprobs above 20")]
    [DataRow("""{"model":"dnet-tiny","prompt":"x","logprobs":true}""", "logprobs", "chat-style logprobs")]
    [DataRow("""{"model":"dnet-tiny","prompt":"x","messages":[]}""", "messages", "a chat field")]
    [DataRow("""{"model":"dnet-tiny","prompt":"x","max_tokens":5000}""", "max_tokens", "max_tokens beyond the context")]
    public async Task BadCompletionRequestGetsAnOpenAiError(string body, string param, string because)
    {
        using var response = await PostAsync("/v1/completions", body);

        await AssertErrorAsync(response, 400, param, because);
    }

    [TestMethod]
    public async Task PromptLongerThanTheContextIsRejected()
    {
        var huge = string.Join(' ', Enumerable.Repeat("lighthouse keeper", 4000));
        var body = JsonSerializer.Serialize(new { model = Cluster.ModelId, messages = new[] { new { role = "user", content = huge } } });

        using var response = await PostAsync("/v1/chat/completions", body);

        var error = await AssertErrorAsync(response, 400, "messages", "a prompt beyond the context");
        Assert.AreEqual("context_length_exceeded", error.GetProperty("code").GetString());
    }

    [TestMethod]
    public async Task InvalidUtf8InContentIsABadRequest()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"dnet-tiny","messages":[{"role":"user","content":"AB"}]}""");
        var at = Array.IndexOf(body, (byte)'A');
        body[at] = 0xFF;
        body[at + 1] = 0xFE;
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await PostAsync("/v1/chat/completions", content);

        await AssertErrorAsync(response, 400, "messages[0].content", "invalid UTF-8 bytes");
    }

    [TestMethod]
    public async Task FortyMegabyteBodyIsAnsweredWith413()
    {
        // A plain HttpClient upload: the gateway refuses on Content-Length, before reading, and the client sees it.
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            model = Cluster.ModelId,
            messages = new[] { new { role = "user", content = new string('a', 40_000_000) } },
        }));
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await PostAsync("/v1/chat/completions", content);

        var error = await AssertErrorAsync(response, 413, null, "a 40 MB body");
        Assert.AreEqual("request_too_large", error.GetProperty("code").GetString());
    }

    [TestMethod]
    public async Task ChunkedBodiesOverTheCapAreRefusedWithoutGrowingTheGateway()
    {
        // Without a Content-Length the cap applies while reading: nothing past 4 MiB is parsed or kept, the rest is dropped.
        var endpoint = await GatewayEndpointAsync();
        var before = GatewayResidentBytes();
        for (var i = 0; i < 5; i++)
        {
            var response = await RawHttp.SendAsync(endpoint, RawHttp.Post(endpoint, "/v1/chat/completions", contentLength: null),
                (stream, token) => WriteChunkedAsync(stream, 20_000_000, token), TimeSpan.FromSeconds(60), TestContext.CancellationToken);

            Assert.AreEqual(413, RawHttp.Status(response), response[..Math.Min(600, response.Length)]);
            AssertIsError(RawHttp.Body(response), "request_too_large");
        }

        var grown = GatewayResidentBytes() - before;
        // Reading and parsing each body whole kept about 1 GB per request before the cap stopped reads early.
        Assert.IsLessThan(300L * 1024 * 1024, grown, $"the gateway grew by {grown / (1024 * 1024)} MB over five 20 MB uploads");
    }

    [TestMethod]
    public async Task SlowUploadIsAnsweredWith408AndAnErrorObject()
    {
        var endpoint = await GatewayEndpointAsync();

        var response = await RawHttp.SendAsync(endpoint, RawHttp.Post(endpoint, "/v1/chat/completions", contentLength: 1000),
            async (stream, token) =>
            {
                // 10 bytes a second: far below the 240 bytes/s Kestrel requires after its 5 s grace.
                for (var sent = 0; sent < 300; sent += 10)
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("          "), token);
                    await Task.Delay(1000, token);
                }
            },
            TimeSpan.FromSeconds(40), TestContext.CancellationToken);

        Assert.AreEqual(408, RawHttp.Status(response), response);
        AssertIsError(RawHttp.Body(response), "request_timeout");
        Assert.DoesNotContain("   at ", response, "no stack trace");
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await PostAsync(path, content);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, HttpContent content)
    {
        await Cluster.App.ResourceNotifications.WaitForResourceHealthyAsync("gateway", TestContext.CancellationToken);
        using var http = Cluster.App.CreateHttpClient("gateway", "http");
        return await http.PostAsync(path, content, TestContext.CancellationToken);
    }

    private async Task<Uri> GatewayEndpointAsync()
    {
        await Cluster.App.ResourceNotifications.WaitForResourceHealthyAsync("gateway", TestContext.CancellationToken);
        return Cluster.App.GetEndpoint("gateway", "http");
    }

    private static async Task WriteChunkedAsync(Stream stream, int size, CancellationToken cancellationToken)
    {
        var head = Encoding.UTF8.GetBytes("""{"model":"dnet-tiny","messages":[{"role":"user","content":" """);
        var chunk = Encoding.ASCII.GetBytes(new string('a', 64 * 1024));
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{head.Length:x}\r\n"), cancellationToken);
        await stream.WriteAsync(head, cancellationToken);
        await stream.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
        for (var sent = 0; sent < size; sent += chunk.Length)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n"), cancellationToken);
            await stream.WriteAsync(chunk, cancellationToken);
            await stream.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
        }

        var tail = Encoding.UTF8.GetBytes("\"}]}");
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{tail.Length:x}\r\n"), cancellationToken);
        await stream.WriteAsync(tail, cancellationToken);
        await stream.WriteAsync("\r\n0\r\n\r\n"u8.ToArray(), cancellationToken);
    }

    /// <summary>Resident memory of the gateway process (the service, a child of Aspire's launcher).</summary>
    private static long GatewayResidentBytes() => ServiceProcess.ResidentBytes(Cluster.App, "gateway");

    private static void AssertIsError(string body, string code)
    {
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.AreEqual(code, error.GetProperty("code").GetString(), body);
        Assert.AreEqual("invalid_request_error", error.GetProperty("type").GetString(), body);
    }

    private async Task<JsonElement> AssertErrorAsync(HttpResponseMessage response, int status, string? param, string because)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.AreEqual(status, (int)response.StatusCode, $"{because}: {text}");
        Assert.IsTrue(response.Headers.Contains("x-request-id"), $"{because}: no x-request-id on the error");
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.IsFalse(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()), because);
        Assert.AreEqual("invalid_request_error", error.GetProperty("type").GetString(), because);
        Assert.DoesNotContain("   at ", text, $"{because}: a stack trace");
        if (param is not null)
        {
            Assert.AreEqual(param, error.GetProperty("param").GetString(), because);
        }

        return error.Clone();
    }
}
