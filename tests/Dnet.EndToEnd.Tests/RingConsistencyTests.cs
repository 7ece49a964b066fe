using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Dnet.Generation.Sampling;
using Dnet.Generation.Streaming;
using Dnet.Generation.Tokenization;
using Dnet.Inference.Model;
using OpenAI.Chat;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// Splitting the model must not change what it says: greedy output over rings of 1, 2 and 3 shards equals the
/// in-process engine's, and concurrent requests get exactly what they get alone.
/// </summary>
[TestClass]
public sealed class RingConsistencyTests
{
    private const string Prompt = "Write about the sea and the wind.";
    private const int Tokens = 24;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task GreedyOutputIsTheSameOnOneTwoAndThreeShardsAndInProcess()
    {
        var client = await Cluster.ChatClientAsync(TestContext.CancellationToken);
        var expected = InProcessGreedy(await ModelFolderAsync(), Prompt, Tokens);
        Dictionary<string, int[]>[] rings =
        [
            new() { ["shard-0"] = [0, 4] },
            new() { ["shard-1"] = [0, 2], ["shard-0"] = [2, 4] },
            new() { ["shard-0"] = [0, 1], ["shard-1"] = [1, 3], ["shard-2"] = [3, 4] },
        ];

        try
        {
            foreach (var ring in rings)
            {
                await LoadAsync(ring);
                ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage(Prompt)],
                    new ChatCompletionOptions { MaxOutputTokenCount = Tokens, Temperature = 0 }, TestContext.CancellationToken);

                Assert.AreEqual(expected, completion.Content[0].Text, $"ring {JsonSerializer.Serialize(ring)}");
            }
        }
        finally
        {
            await LoadAsync(manual: null);
        }
    }

    [TestMethod]
    public async Task ConcurrentRequestsGetWhatTheyGetAlone()
    {
        var client = await Cluster.ChatClientAsync(TestContext.CancellationToken);
        var requests = Enumerable.Range(0, 32)
            // Every fourth prompt is a few hundred tokens: the shards prefill it in chunks while the others decode.
            .Select(i => (Prompt: $"Request {i}: describe colour number {i * 7}." + (i % 4 == 0 ? LongContext(i) : ""), Options: new ChatCompletionOptions
            {
                MaxOutputTokenCount = 20,
                Temperature = 0.9f,
#pragma warning disable OPENAI001 // Seed is marked experimental in the client; the gateway supports it.
                Seed = 1000 + i,
#pragma warning restore OPENAI001
            }))
            .ToList();

        var alone = new List<string>();
        foreach (var (prompt, options) in requests)
        {
            alone.Add(await CompleteAsync(client, prompt, options));
        }

        var together = await Task.WhenAll(requests.Select(r => CompleteAsync(client, r.Prompt, r.Options)));

        CollectionAssert.AreEqual(alone, together);
        Assert.IsGreaterThan(1, alone.Distinct().Count(), "different prompts and seeds should not all give the same text");
    }

    private static string LongContext(int seed) =>
        string.Concat(Enumerable.Range(0, 10).Select(k => $" Shade {seed * 10 + k} sits between the lighter and the darker ones."));

    private async Task<string> CompleteAsync(ChatClient client, string prompt, ChatCompletionOptions options)
    {
        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage(prompt)], options, TestContext.CancellationToken);
        return completion.Content[0].Text;
    }

    private async Task<string> ModelFolderAsync()
    {
        using var http = Cluster.App.CreateHttpClient("gateway", "http");
        var topology = await http.GetFromJsonAsync<JsonElement>("/v1/cluster/topology", TestContext.CancellationToken);
        return topology.GetProperty("folder").GetString()!;
    }

    private async Task LoadAsync(Dictionary<string, int[]>? manual)
    {
        using var http = Cluster.App.CreateHttpClient("gateway", "http");
        using var response = await http.PostAsJsonAsync("/v1/cluster/load", new { model = Cluster.ModelId, manual }, TestContext.CancellationToken);
        Assert.IsTrue(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
    }

    /// <summary>The same model, template and greedy sampler in this process, with no ring in between.</summary>
    private static string InProcessGreedy(string folder, string prompt, int tokens)
    {
        var tokenizer = TextTokenizer.Load(Path.Combine(folder, "tokenizer.json"), Path.Combine(folder, "tokenizer_config.json"));
        var template = Dnet.Generation.Chat.ChatTemplate.Load(Path.Combine(folder, "tokenizer_config.json"));
        var ids = tokenizer.Encode(template.Render([new Dnet.Generation.Chat.ChatMessage("user", prompt)]), parseSpecialTokens: true).ToArray();
        using var model = ModelSlice.Load(folder, LayerRange.All(ConfigLayers(folder)));
        var sampler = new Sampler(SamplingParameters.Greedy, tokenizer.VocabSize);
        var detokenizer = new IncrementalDetokenizer(tokenizer, skipSpecialTokens: true);
        var text = new System.Text.StringBuilder();
        var position = 0;
        var input = ids;
        for (var step = 0; step < tokens; step++)
        {
            var logits = model.Forward("reference", SliceInput.FromTokens(input), position).Logits!;
            position += input.Length;
            var token = sampler.Sample(logits).Id;
            if (tokenizer.EndOfTurnTokenIds.Contains(token))
            {
                break;
            }

            text.Append(detokenizer.Push(token));
            input = [token];
        }

        return text.Append(detokenizer.Flush()).ToString();
    }

    private static int ConfigLayers(string folder) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "config.json"))).RootElement.GetProperty("num_hidden_layers").GetInt32();
}
