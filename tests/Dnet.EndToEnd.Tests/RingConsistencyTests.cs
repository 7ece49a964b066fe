using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
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
        var expected = InProcessReference.Greedy(await ModelFolderAsync(), Prompt, Tokens);
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
}
