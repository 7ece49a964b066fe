using System.ClientModel;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using OpenAI.Chat;

namespace Dnet.EndToEnd.Tests;

/// <summary>The official OpenAI .NET client against the gateway, unchanged but for the endpoint.</summary>
[TestClass]
public sealed class ChatCompletionsTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task NonStreamingCompletionHasTextUsageAndFinishReason()
    {
        var client = await Cluster.ChatClientAsync(TestContext.CancellationToken);

        ChatCompletion completion = await client.CompleteChatAsync(
            [new SystemChatMessage("You are terse."), new UserChatMessage("Say something about rivers.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 12, Temperature = 0 },
            TestContext.CancellationToken);

        Assert.AreEqual(ChatMessageRole.Assistant, completion.Role);
        Assert.IsTrue(completion.Id.StartsWith("chatcmpl-", StringComparison.Ordinal), completion.Id);
        Assert.IsGreaterThan(0, completion.Usage.InputTokenCount);
        Assert.IsGreaterThan(0, completion.Usage.OutputTokenCount);
        Assert.IsLessThanOrEqualTo(12, completion.Usage.OutputTokenCount);
        Assert.AreEqual(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);
        Assert.IsTrue(completion.FinishReason is ChatFinishReason.Length or ChatFinishReason.Stop);
        if (completion.FinishReason == ChatFinishReason.Length)
        {
            Assert.AreEqual(12, completion.Usage.OutputTokenCount);
        }
    }

    [TestMethod]
    public async Task StreamingCompletionMatchesNonStreamingAndReportsUsage()
    {
        var client = await Cluster.ChatClientAsync(TestContext.CancellationToken);
        ChatMessage[] messages = [new UserChatMessage("Tell me a story about a lighthouse.")];
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 16, Temperature = 0 };

        ChatCompletion whole = await client.CompleteChatAsync(messages, options, TestContext.CancellationToken);

        var streamed = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        var ids = new HashSet<string>();
        await foreach (var update in client.CompleteChatStreamingAsync(messages, options, TestContext.CancellationToken))
        {
            ids.Add(update.CompletionId);
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }

            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.AreEqual(whole.Content[0].Text, streamed.ToString());
        Assert.HasCount(1, ids);
        Assert.IsNotNull(usage, "the OpenAI client asks for include_usage; the usage chunk is missing");
        Assert.AreEqual(whole.Usage.OutputTokenCount, usage.OutputTokenCount);
        Assert.AreEqual(whole.Usage.InputTokenCount, usage.InputTokenCount);
        Assert.AreEqual(whole.FinishReason, finish);
    }

    [TestMethod]
    public async Task ClientDisconnectFreesTheRequestOnEveryShard()
    {
        var client = await Cluster.ChatClientAsync(TestContext.CancellationToken);
        using var disconnect = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 1500, Temperature = 0 };

        var received = 0;
        var sawActive = false;
        await Assert.ThrowsAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Keep going.")], options, disconnect.Token))
            {
                if (++received == 3)
                {
                    sawActive = await ActiveSequencesAsync() > 0;
                    await disconnect.CancelAsync();
                }
            }
        });

        Assert.IsTrue(sawActive, "the request should hold KV cache on the shards while it runs");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (await ActiveSequencesAsync() > 0)
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    private async Task<int> ActiveSequencesAsync()
    {
        using var http = Cluster.App.CreateHttpClient("gateway", "http");
        var topology = await http.GetFromJsonAsync<JsonElement>("/v1/cluster/topology", TestContext.CancellationToken);
        return topology.GetProperty("shards").EnumerateArray().Sum(s => s.GetProperty("active_sequences").GetInt32());
    }

    [TestMethod]
    public async Task ModelsListsTheLoadedModelWithItsContextLength()
    {
        var client = await Cluster.OpenAiClientAsync(TestContext.CancellationToken);

        var models = (await client.GetOpenAIModelClient().GetModelsAsync(TestContext.CancellationToken)).Value;
        var one = (await client.GetOpenAIModelClient().GetModelAsync(Cluster.ModelId, TestContext.CancellationToken)).Value;
        var unknown = await Assert.ThrowsAsync<ClientResultException>(() =>
            client.GetOpenAIModelClient().GetModelAsync("no-such-model", TestContext.CancellationToken));

        Assert.HasCount(1, models);
        Assert.AreEqual(Cluster.ModelId, models[0].Id);
        Assert.AreEqual(Cluster.ModelId, one.Id);
        Assert.AreEqual("dnet", one.OwnedBy);
        Assert.AreEqual(404, unknown.Status);
        using var http = Cluster.App.CreateHttpClient("gateway", "http");
        var card = await http.GetFromJsonAsync<JsonElement>($"/v1/models/{Cluster.ModelId}", TestContext.CancellationToken);
        Assert.AreEqual(2048, card.GetProperty("max_model_len").GetInt32(), "dnet-tiny's context length");
    }

    [TestMethod]
    public async Task RefusedFieldReachesTheClientAsA400NamingIt()
    {
        var client = await Cluster.ChatClientAsync(TestContext.CancellationToken);
        var jsonMode = new ChatCompletionOptions { ResponseFormat = ChatResponseFormat.CreateJsonObjectFormat() };
        var tools = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("get_weather", "The weather") } };

        var jsonError = await Assert.ThrowsAsync<ClientResultException>(() =>
            client.CompleteChatAsync([new UserChatMessage("hi")], jsonMode, TestContext.CancellationToken));
        var toolsError = await Assert.ThrowsAsync<ClientResultException>(() =>
            client.CompleteChatAsync([new UserChatMessage("hi")], tools, TestContext.CancellationToken));

        foreach (var (error, param) in new[] { (jsonError, "response_format"), (toolsError, "tools") })
        {
            Assert.AreEqual(400, error.Status);
            StringAssert.Contains(error.Message, param);
            var body = JsonDocument.Parse(error.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error");
            Assert.AreEqual(param, body.GetProperty("param").GetString());
        }
    }

    [TestMethod]
    public async Task UnknownModelIsNotFound()
    {
        var client = (await Cluster.OpenAiClientAsync(TestContext.CancellationToken)).GetChatClient("no-such-model");

        var error = await Assert.ThrowsAsync<ClientResultException>(() =>
            client.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: TestContext.CancellationToken));

        Assert.AreEqual(404, error.Status);
        StringAssert.Contains(error.Message, "no-such-model");
    }
}
