using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.ServerSentEvents;
using System.Text.Json;
using OpenAI.Chat;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// <c>POST /v1/completions</c> through the official OpenAI package. Its legacy completions client is internal in
/// 2.15.0, so the calls go through the package's public <see cref="ClientPipeline"/>: the same transport, key header,
/// retries and error classification its typed clients use, with the request body written here.
/// </summary>
[TestClass]
public sealed class CompletionsTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task CompletionHasTextUsageAndTheLegacyShape()
    {
        var (pipeline, endpoint) = await PipelineAsync();

        var result = await SendAsync(pipeline, endpoint, new { model = Cluster.ModelId, prompt = "Once upon a time", max_tokens = 8, temperature = 0, logprobs = 2 });

        var body = JsonDocument.Parse(result.Content.ToString()).RootElement;
        Assert.AreEqual("text_completion", body.GetProperty("object").GetString());
        StringAssert.StartsWith(body.GetProperty("id").GetString(), "cmpl-");
        Assert.AreEqual(Cluster.ModelId, body.GetProperty("model").GetString());
        var choice = body.GetProperty("choices")[0];
        var usage = body.GetProperty("usage");
        Assert.IsTrue(choice.GetProperty("finish_reason").GetString() is "length" or "stop");
        Assert.IsGreaterThan(0, usage.GetProperty("prompt_tokens").GetInt32());
        var generated = usage.GetProperty("completion_tokens").GetInt32();
        Assert.IsLessThanOrEqualTo(8, generated);
        var logprobs = choice.GetProperty("logprobs");
        Assert.AreEqual(generated, logprobs.GetProperty("tokens").GetArrayLength());
        // Every generated token has an entry; a final end-of-text token is counted and listed but adds no text.
        var tokens = string.Concat(logprobs.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()));
        StringAssert.StartsWith(tokens, choice.GetProperty("text").GetString());
        Assert.IsTrue(tokens.Length == choice.GetProperty("text").GetString()!.Length || choice.GetProperty("finish_reason").GetString() == "stop", tokens);
        Assert.IsTrue(logprobs.GetProperty("top_logprobs").EnumerateArray().All(top => top.EnumerateObject().Count() is 1 or 2));
    }

    [TestMethod]
    public async Task PromptAsTokenIdsGivesWhatTheSameTextGives()
    {
        var (pipeline, endpoint) = await PipelineAsync();
        var ids = (await TokenizerAsync()).Encode("The lighthouse keeper", parseSpecialTokens: true).ToArray();

        var byText = JsonDocument.Parse((await SendAsync(pipeline, endpoint,
            new { model = Cluster.ModelId, prompt = "The lighthouse keeper", max_tokens = 6, temperature = 0 })).Content.ToString()).RootElement;
        var byIds = JsonDocument.Parse((await SendAsync(pipeline, endpoint,
            new { model = Cluster.ModelId, prompt = ids, max_tokens = 6, temperature = 0 })).Content.ToString()).RootElement;

        Assert.AreEqual(ids.Length, byIds.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.AreEqual(byText.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), byIds.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.AreEqual(byText.GetProperty("choices")[0].GetProperty("text").GetString(), byIds.GetProperty("choices")[0].GetProperty("text").GetString());
    }

    [TestMethod]
    public async Task LogitBiasReachesTheLastShardsSampler()
    {
        // +100 on one token makes it the only choice at every step, on whichever shard samples.
        var (pipeline, endpoint) = await PipelineAsync();
        var tokenizer = await TokenizerAsync();
        var forced = tokenizer.Encode(" tide", parseSpecialTokens: false)[0];

        var body = JsonDocument.Parse((await SendAsync(pipeline, endpoint, new
        {
            model = Cluster.ModelId,
            prompt = "Once upon a time",
            max_tokens = 5,
            temperature = 1,
            seed = 3,
            logit_bias = new Dictionary<string, int> { [forced.ToString(System.Globalization.CultureInfo.InvariantCulture)] = 100 },
        })).Content.ToString()).RootElement;

        var expected = string.Concat(Enumerable.Repeat(tokenizer.Decode([forced]), 5));
        Assert.AreEqual(expected, body.GetProperty("choices")[0].GetProperty("text").GetString());
    }

    [TestMethod]
    public async Task StreamedCompletionMatchesTheWholeOneAndEndsWithUsage()
    {
        var (pipeline, endpoint) = await PipelineAsync();
        var request = new { model = Cluster.ModelId, prompt = "The river", max_tokens = 10, temperature = 0 };
        var whole = JsonDocument.Parse((await SendAsync(pipeline, endpoint, request)).Content.ToString()).RootElement;

        var streamed = await SendAsync(pipeline, endpoint,
            new { request.model, request.prompt, request.max_tokens, request.temperature, stream = true, stream_options = new { include_usage = true } },
            stream: true);
        var text = new System.Text.StringBuilder();
        string? finish = null;
        JsonElement? usage = null;
        var sawDone = false;
        await foreach (var item in SseParser.Create(streamed.ContentStream!).EnumerateAsync(TestContext.CancellationToken))
        {
            if (item.Data == "[DONE]")
            {
                sawDone = true;
                break;
            }

            var chunk = JsonDocument.Parse(item.Data).RootElement;
            Assert.AreEqual("text_completion", chunk.GetProperty("object").GetString());
            foreach (var choice in chunk.GetProperty("choices").EnumerateArray())
            {
                text.Append(choice.GetProperty("text").GetString());
                finish ??= choice.GetProperty("finish_reason").GetString();
            }

            if (chunk.TryGetProperty("usage", out var u))
            {
                usage = u.Clone();
            }
        }

        Assert.IsTrue(sawDone);
        Assert.AreEqual(whole.GetProperty("choices")[0].GetProperty("text").GetString(), text.ToString());
        Assert.AreEqual(whole.GetProperty("choices")[0].GetProperty("finish_reason").GetString(), finish);
        Assert.IsNotNull(usage, "include_usage asks for a last chunk with usage");
        Assert.AreEqual(whole.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), usage.Value.GetProperty("completion_tokens").GetInt32());
    }

    [TestMethod]
    public async Task RefusedCompletionFieldIsA400NamingIt()
    {
        var (pipeline, endpoint) = await PipelineAsync();

        var error = await Assert.ThrowsAsync<ClientResultException>(() =>
            SendAsync(pipeline, endpoint, new { model = Cluster.ModelId, prompt = "x", echo = true }));

        Assert.AreEqual(400, error.Status);
        Assert.AreEqual("echo", JsonDocument.Parse(error.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    [TestMethod]
    public async Task ChatAndCompletionShareTheGenerationPath()
    {
        // A chat is a completion of its rendered prompt: the same greedy text either way.
        var chat = await Cluster.ChatClientAsync(TestContext.CancellationToken);
        var (pipeline, endpoint) = await PipelineAsync();
        ChatCompletion viaChat = await chat.CompleteChatAsync([new UserChatMessage("Tell me about tides.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 12, Temperature = 0 }, TestContext.CancellationToken);

        var viaCompletion = JsonDocument.Parse((await SendAsync(pipeline, endpoint, new
        {
            model = Cluster.ModelId,
            prompt = "<|im_start|>user\nTell me about tides.<|im_end|>\n<|im_start|>assistant\n",
            max_tokens = 12,
            temperature = 0,
        })).Content.ToString()).RootElement;

        Assert.AreEqual(viaChat.Content[0].Text, viaCompletion.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.AreEqual(viaChat.Usage.InputTokenCount, viaCompletion.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    private async Task<Dnet.Generation.Tokenization.TextTokenizer> TokenizerAsync()
    {
        using var http = Aspire.Hosting.Testing.DistributedApplicationHostingTestingExtensions.CreateHttpClient(Cluster.App, "gateway", "http");
        var topology = JsonDocument.Parse(await http.GetStringAsync("/v1/cluster/topology", TestContext.CancellationToken)).RootElement;
        return Dnet.Generation.Tokenization.TextTokenizer.Load(Path.Combine(topology.GetProperty("folder").GetString()!, "tokenizer.json"));
    }

    private async Task<(ClientPipeline Pipeline, Uri Endpoint)> PipelineAsync()
    {
        var client = await Cluster.OpenAiClientAsync(TestContext.CancellationToken);
        return (client.Pipeline, new Uri(Aspire.Hosting.Testing.DistributedApplicationHostingTestingExtensions.GetEndpoint(Cluster.App, "gateway", "http"), "/v1"));
    }

    private async Task<PipelineResponse> SendAsync(ClientPipeline pipeline, Uri endpoint, object body, bool stream = false)
    {
        var message = pipeline.CreateMessage();
        message.Request.Method = "POST";
        message.Request.Uri = new Uri($"{endpoint.ToString().TrimEnd('/')}/completions");
        message.Request.Headers.Set("Content-Type", "application/json");
        message.Request.Content = BinaryContent.Create(BinaryData.FromObjectAsJson(body));
        message.BufferResponse = !stream;
        message.Apply(new RequestOptions { CancellationToken = TestContext.CancellationToken });
        await pipeline.SendAsync(message);
        var response = message.Response!;
        if (response.IsError)
        {
            throw new ClientResultException(response);
        }

        return stream ? message.ExtractResponse()! : response;
    }
}
