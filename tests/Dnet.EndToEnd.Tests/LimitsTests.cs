using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// The gateway's caps answer with OpenAI error objects (429 with Retry-After for concurrency, 400 for a prompt over
/// the cap), and a client that stops reading its stream is cut off so that it cannot hold a ring slot and KV cache.
/// Runs on <see cref="SecuredCluster"/>, whose limits are turned down.
/// </summary>
[TestClass]
public sealed class LimitsTests
{
    private const string Key = $"Bearer {SecuredCluster.ApiKey}";

    /// <summary>OpenAI <c>logit_bias</c> that bans the test model's end-of-turn tokens.</summary>
    private static readonly Lazy<Dictionary<string, int>> EndOfTurnBanned = new(() =>
    {
        var folder = Dnet.ModelGeneration.ModelResolver.Resolve(Cluster.ModelId);
        var tokenizer = Dnet.Generation.Tokenization.TextTokenizer.Load(Path.Combine(folder, "tokenizer.json"), Path.Combine(folder, "tokenizer_config.json"));
        return tokenizer.EndOfTurnTokenIds.ToDictionary(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture), _ => -100);
    });

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task AClientOverItsConcurrentRequestsGets429WithRetryAfter()
    {
        using var gateway = await SecuredCluster.ClientAsync("gateway", Key, TestContext.CancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        var running = Enumerable.Range(0, SecuredCluster.RequestsPerClient)
            .Select(_ => gateway.PostAsync("/v1/chat/completions", Json(LongChat(stream: false)), stop.Token))
            .ToList();
        try
        {
            await WaitForActiveSequencesAsync(gateway, SecuredCluster.RequestsPerClient);

            using var refused = await gateway.PostAsync("/v1/chat/completions", Json(ShortChat()), TestContext.CancellationToken);

            Assert.AreEqual((HttpStatusCode)429, refused.StatusCode);
            Assert.AreEqual("1", refused.Headers.RetryAfter?.ToString());
            var error = await ErrorAsync(refused);
            Assert.AreEqual("too_many_concurrent_requests", error.GetProperty("code").GetString());
            Assert.AreEqual("rate_limit_error", error.GetProperty("type").GetString());
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(running.Select(task => task.ContinueWith(_ => { }, TaskScheduler.Default)));
        }

        await WaitForActiveSequencesAsync(gateway, 0);
        using var afterwards = await gateway.PostAsync("/v1/chat/completions", Json(ShortChat()), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, afterwards.StatusCode, "slots are given back when requests end");
    }

    [TestMethod]
    public async Task StreamsOverTheCapGet429WhileOtherRequestsAreServed()
    {
        using var gateway = await SecuredCluster.ClientAsync("gateway", Key, TestContext.CancellationToken);
        using var open = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(LongChat(stream: true)) };
        using var stream = await gateway.SendAsync(open, HttpCompletionOption.ResponseHeadersRead, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, stream.StatusCode);

        using var second = await gateway.PostAsync("/v1/chat/completions", Json(LongChat(stream: true)), TestContext.CancellationToken);
        using var plain = await gateway.PostAsync("/v1/chat/completions", Json(ShortChat()), TestContext.CancellationToken);

        Assert.AreEqual((HttpStatusCode)429, second.StatusCode);
        Assert.IsNotNull(second.Headers.RetryAfter);
        Assert.AreEqual("too_many_streams", (await ErrorAsync(second)).GetProperty("code").GetString());
        Assert.AreEqual(HttpStatusCode.OK, plain.StatusCode, "a request that does not stream is not held by the stream cap");
    }

    [TestMethod]
    public async Task APromptOverTheConfiguredCapIsRefused()
    {
        using var gateway = await SecuredCluster.ClientAsync("gateway", Key, TestContext.CancellationToken);
        var words = string.Join(' ', Enumerable.Repeat("harbour", SecuredCluster.MaxPromptTokens * 2));

        using var response = await gateway.PostAsync("/v1/chat/completions",
            Json(new { model = Cluster.ModelId, messages = new[] { new { role = "user", content = words } } }), TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorAsync(response);
        Assert.AreEqual("prompt_too_long", error.GetProperty("code").GetString());
        Assert.AreEqual("messages", error.GetProperty("param").GetString());
    }

    [TestMethod]
    public async Task AClientThatStopsReadingIsCutOffAndItsKvCacheFreed()
    {
        var cluster = await SecuredCluster.GetAsync(TestContext.CancellationToken);
        using var gateway = await SecuredCluster.ClientAsync("gateway", Key, TestContext.CancellationToken);
        // Kestrel's own port, not Aspire's proxy in front of it: the proxy would read the stream into its buffers and
        // hide the stalled reader from the gateway (as any buffering proxy would).
        var endpoint = KestrelEndpoint(cluster, "gateway");
        // Big chunks (20 alternatives per token) and a tiny receive window fill the socket buffers within a few hundred
        // tokens; end-of-turn tokens are banned so the stream cannot finish before the buffers fill.
        var body = JsonSerializer.Serialize(new
        {
            model = Cluster.ModelId,
            messages = new[] { new { role = "user", content = "Never stop." } },
            max_tokens = 1900,
            logprobs = true,
            top_logprobs = 20,
            logit_bias = EndOfTurnBanned.Value,
            stream = true,
        });
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 2048 };
        await socket.ConnectAsync(IPAddress.Loopback, endpoint.Port, TestContext.CancellationToken);
        var head = $"POST /v1/chat/completions HTTP/1.1\r\nHost: {endpoint.Authority}\r\nAuthorization: {Key}\r\n"
            + $"Content-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";
        await socket.SendAsync(Encoding.UTF8.GetBytes(head), SocketFlags.None, TestContext.CancellationToken);

        // The request starts, then the gateway waits on the unread socket, gives up after its write timeout and frees it.
        await WaitForActiveSequencesAsync(gateway, 1);
        await WaitForActiveSequencesAsync(gateway, 0, TimeSpan.FromSeconds(90));

        var received = await DrainAsync(socket);
        Assert.DoesNotContain("data: [DONE]", received, "the stream was cut off, not completed");
        using var next = await gateway.PostAsync("/v1/chat/completions", Json(ShortChat()), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, next.StatusCode, "the ring serves others");
    }

    /// <summary>The URL the service's Kestrel listens on (the AppHost names it in <c>Kestrel__Endpoints__http__Url</c>).</summary>
    private static Uri KestrelEndpoint(Aspire.Hosting.DistributedApplication cluster, string resource) =>
        new(ServiceProcess.Environment(cluster, resource, "Kestrel__Endpoints__http__Url")
            ?? throw new InvalidOperationException($"{resource} has no Kestrel http endpoint in its environment"));

    /// <summary>
    /// A request that runs for its whole 1900 tokens: the random model may sample an end-of-turn token at any step, which
    /// would end it (and free its slot) before the test has seen it running, so those tokens are banned.
    /// </summary>
    private static object LongChat(bool stream) => new
    {
        model = Cluster.ModelId,
        messages = new[] { new { role = "user", content = "Go on." } },
        max_tokens = 1900,
        logit_bias = EndOfTurnBanned.Value,
        stream,
    };

    private static object ShortChat() => new { model = Cluster.ModelId, messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 2 };

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private async Task<JsonElement> ErrorAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.CancellationToken)).RootElement.GetProperty("error").Clone();

    private async Task WaitForActiveSequencesAsync(HttpClient gateway, int expected, TimeSpan? within = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        timeout.CancelAfter(within ?? TimeSpan.FromSeconds(30));
        int active;
        while ((active = await ActiveSequencesAsync(gateway, timeout.Token)) != expected)
        {
            await Task.Delay(100, timeout.Token);
        }

        Assert.AreEqual(expected, active);
    }

    private static async Task<int> ActiveSequencesAsync(HttpClient gateway, CancellationToken cancellationToken)
    {
        var topology = JsonDocument.Parse(await gateway.GetStringAsync("/v1/cluster/topology", cancellationToken)).RootElement;
        return topology.GetProperty("shards").EnumerateArray().Max(s => s.GetProperty("active_sequences").GetInt32());
    }

    private static async Task<string> DrainAsync(Socket socket)
    {
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) is var read and > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException)
        {
            // Reset by the gateway, or nothing more within the window.
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }
}
