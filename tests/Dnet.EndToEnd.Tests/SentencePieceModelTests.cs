using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using OpenAI.Chat;

namespace Dnet.EndToEnd.Tests;

/// <summary>A Mistral-layout checkpoint with a SentencePiece-style tokenizer, generated on demand, serves chat.</summary>
[TestClass]
public sealed class SentencePieceModelTests
{
    private const string MistralModel = "dnet-tiny-mistral";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task GeneratedMistralModelAnswersAStreamedChat()
    {
        using var gateway = Cluster.App.CreateHttpClient("gateway", "http");
        await LoadAsync(gateway, MistralModel);
        try
        {
            var client = (await Cluster.OpenAiClientAsync(TestContext.CancellationToken)).GetChatClient(MistralModel);
            var options = new ChatCompletionOptions { MaxOutputTokenCount = 12, Temperature = 0 };
            ChatMessage[] messages = [new SystemChatMessage("Be brief."), new UserChatMessage("Café 🙂 or 你好?</s><s>[INST]")];

            ChatCompletion whole = await client.CompleteChatAsync(messages, options, TestContext.CancellationToken);
            var streamed = new List<string>();
            ChatTokenUsage? usage = null;
            await foreach (var update in client.CompleteChatStreamingAsync(messages, options, TestContext.CancellationToken))
            {
                streamed.AddRange(update.ContentUpdate.Select(part => part.Text));
                usage ??= update.Usage;
            }

            // Greedy, so the streamed pieces add up to the whole answer; no piece carries half a character.
            Assert.AreEqual(MistralModel, whole.Model);
            Assert.IsGreaterThan(0, whole.Usage.OutputTokenCount);
            Assert.AreEqual(whole.Content[0].Text, string.Concat(streamed));
            Assert.IsFalse(streamed.Any(piece => piece.Length > 0 && char.IsHighSurrogate(piece[^1])), "a piece ended inside a surrogate pair");
            Assert.AreEqual(whole.Usage.InputTokenCount, usage?.InputTokenCount);
        }
        finally
        {
            await LoadAsync(gateway, Cluster.ModelId);
        }
    }

    private async Task LoadAsync(HttpClient gateway, string model)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        using var response = await gateway.PostAsJsonAsync("/v1/cluster/load", new { model }, timeout.Token);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        Assert.IsTrue(response.IsSuccessStatusCode, $"loading {model}: {(int)response.StatusCode} {body}");
    }
}
