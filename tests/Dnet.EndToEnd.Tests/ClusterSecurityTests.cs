using System.Text;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Dnet.Contracts.Shards;
using Dnet.Transport;
using Grpc.Core;
using Grpc.Net.Client;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// Cluster-internal endpoints answer only members: a token frame forged by a client without the cluster secret cannot
/// end another user's stream, a shard refuses calls without the secret, and even with it a shard loads nothing from
/// outside its model roots. The shared cluster keeps serving throughout.
/// </summary>
[TestClass]
public sealed class ClusterSecurityTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task AForgedTokenFrameIsRefusedAndTheVictimsStreamCompletes()
    {
        using var http = await GatewayAsync();
        var alone = await CollectAsync(await OpenStreamAsync(http), forge: null);

        var victim = await CollectAsync(await OpenStreamAsync(http), forge: async requestId =>
        {
            var sink = Cluster.App.GetEndpoint("gateway", "grpc").ToString();
            using var anonymous = GrpcChannel.ForAddress(sink);
            using var impostor = PeerChannels.Open(sink, "not-the-cluster-secret");
            return [await ForgeAsync(anonymous, requestId), await ForgeAsync(impostor, requestId)];
        });

        CollectionAssert.AreEqual(new[] { StatusCode.Unauthenticated, StatusCode.Unauthenticated }, victim.Refusals);
        Assert.IsGreaterThan(0, victim.ChunksAfterForgery, "the forged frames went out while the victim's request was still in flight");
        Assert.IsNull(victim.Error, "the victim's stream carried no error");
        Assert.IsTrue(victim.Done, "the victim's stream ended with [DONE]");
        Assert.AreEqual(alone.Text, victim.Text, "the victim got exactly what it gets alone");
    }

    [TestMethod]
    public async Task AShardRefusesCallsWithoutTheSecretAndKeepsServing()
    {
        using var http = await GatewayAsync();
        using var anonymous = GrpcChannel.ForAddress(ShardAddress("shard-1"));
        var shard = new Shard.ShardClient(anonymous);

        var unload = await Assert.ThrowsExactlyAsync<RpcException>(async () => await shard.UnloadAsync(new UnloadRequest(), cancellationToken: TestContext.CancellationToken));
        var status = await Assert.ThrowsExactlyAsync<RpcException>(async () => await shard.GetStatusAsync(new StatusRequest(), cancellationToken: TestContext.CancellationToken));

        Assert.AreEqual(StatusCode.Unauthenticated, unload.StatusCode);
        StringAssert.Contains(unload.Status.Detail, "cluster secret");
        Assert.AreEqual(StatusCode.Unauthenticated, status.StatusCode);
        using var member = PeerChannels.Open(ShardAddress("shard-1"), Cluster.Secret);
        var still = await new Shard.ShardClient(member).GetStatusAsync(new StatusRequest(), cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual(Cluster.ModelId, still.Model, "the refused unload unloaded nothing");
        Assert.AreEqual("Healthy", await GatewayHealthAsync(http));
    }

    [TestMethod]
    public async Task LoadSliceOfAFolderOutsideTheModelRootsIsRefusedAndTheSliceStays()
    {
        using var member = PeerChannels.Open(ShardAddress("shard-0"), Cluster.Secret);
        var shard = new Shard.ShardClient(member);
        var before = await shard.GetStatusAsync(new StatusRequest(), cancellationToken: TestContext.CancellationToken);

        var refused = await Assert.ThrowsExactlyAsync<RpcException>(async () => await shard.LoadSliceAsync(new LoadSliceRequest
        {
            Model = "/etc",
            LayerStart = 0,
            LayerEnd = 1,
            TokenSink = Cluster.App.GetEndpoint("gateway", "grpc").ToString(),
        }, cancellationToken: TestContext.CancellationToken));

        Assert.AreEqual(StatusCode.PermissionDenied, refused.StatusCode);
        StringAssert.Contains(refused.Status.Detail, "'/etc' is outside this shard's model roots");
        var after = await shard.GetStatusAsync(new StatusRequest(), cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual((before.Model, before.LayerStart, before.LayerEnd), (after.Model, after.LayerStart, after.LayerEnd));
    }

    private async Task<StatusCode> ForgeAsync(GrpcChannel channel, string requestId)
    {
        using var call = new TokenSink.TokenSinkClient(channel).Tokens(cancellationToken: TestContext.CancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(new TokenFrame { RequestId = requestId, Step = 3, Error = "forged: this request is over", ErrorNode = "mallory" });
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception exception) when (exception is RpcException or InvalidOperationException)
        {
            // Refused before the frame was written; the call's status says why.
        }

        return (await Assert.ThrowsExactlyAsync<RpcException>(async () => await call.ResponseAsync)).StatusCode;
    }

    private async Task<HttpResponseMessage> OpenStreamAsync(HttpClient http)
    {
        return await StreamingRequests.OpenAsync(http, "Tell me everything about lighthouses.", 300, TestContext.CancellationToken);
    }

    /// <summary>Reads a stream to its end; after its third chunk, <paramref name="forge"/> attacks it by its request id.</summary>
    private async Task<StreamResult> CollectAsync(HttpResponseMessage response, Func<string, Task<StatusCode[]>>? forge)
    {
        using (response)
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.CancellationToken));
            var text = new StringBuilder();
            var (chunks, forgedAt, done) = (0, -1, false);
            string? error = null;
            StatusCode[] refusals = [];
            while (await reader.ReadLineAsync(TestContext.CancellationToken) is { } line)
            {
                done |= line == "data: [DONE]";
                if (!line.StartsWith("data: {", StringComparison.Ordinal))
                {
                    continue;
                }

                var chunk = JsonDocument.Parse(line["data: ".Length..]).RootElement;
                if (chunk.TryGetProperty("error", out var failure))
                {
                    error = failure.ToString();
                    continue;
                }

                chunks++;
                if (chunk.GetProperty("choices") is { ValueKind: JsonValueKind.Array } choices && choices.GetArrayLength() > 0
                    && choices[0].GetProperty("delta").TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                {
                    text.Append(content.GetString());
                }

                if (chunks == 3 && forge is not null)
                {
                    refusals = await forge(chunk.GetProperty("id").GetString()!);
                    forgedAt = chunks;
                }
            }

            return new StreamResult(text.ToString(), error, done, refusals, forgedAt < 0 ? 0 : chunks - forgedAt);
        }
    }

    private async Task<HttpClient> GatewayAsync()
    {
        await Cluster.App.ResourceNotifications.WaitForResourceHealthyAsync("gateway", TestContext.CancellationToken);
        var http = Cluster.App.CreateHttpClient("gateway", "http");
        http.Timeout = TimeSpan.FromMinutes(2);
        return http;
    }

    private async Task<string?> GatewayHealthAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/health", TestContext.CancellationToken);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.CancellationToken)).RootElement.GetProperty("status").GetString();
    }

    private static string ShardAddress(string shard) => Cluster.App.GetEndpoint(shard, "grpc").ToString();

    private sealed record StreamResult(string Text, string? Error, bool Done, StatusCode[] Refusals, int ChunksAfterForgery);
}
