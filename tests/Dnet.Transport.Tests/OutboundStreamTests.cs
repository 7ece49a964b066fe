using System.Collections.Concurrent;
using Dnet.Contracts.Shards;

namespace Dnet.Transport.Tests;

[TestClass]
public sealed class OutboundStreamTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task DeliversEveryMessageInOrderOverRealGrpc()
    {
        await using var sink = await RecordingTokenSink.StartAsync();
        var undelivered = new ConcurrentQueue<TokenFrame>();
        await using (var stream = new OutboundStream<TokenFrame>(sink.Address, clusterSecret: null,
            (channel, token) => new TokenSink.TokenSinkClient(channel).Tokens(cancellationToken: token),
            (frame, _) => undelivered.Enqueue(frame)))
        {
            for (var step = 0; step < 200; step++)
            {
                stream.Send(new TokenFrame { RequestId = "r", Step = step, TokenId = step });
            }

            var received = new List<int>();
            while (received.Count < 200 && sink.Received.TryTake(out var frame, TimeSpan.FromMinutes(1)))
            {
                received.Add(frame.Step);
            }

            CollectionAssert.AreEqual(Enumerable.Range(0, 200).ToList(), received);
        }

        Assert.IsEmpty(undelivered);
    }

    [TestMethod]
    public async Task AFullQueueHandsTheMessageBackInsteadOfGrowing()
    {
        await using var sink = await RecordingTokenSink.StartAsync();
        // The stream cannot open until released, as with a peer that does not keep up: messages wait in the queue.
        using var peerReady = new SemaphoreSlim(0);
        var undelivered = new ConcurrentQueue<(TokenFrame Frame, Exception Reason)>();
        await using var stream = new OutboundStream<TokenFrame>(sink.Address, clusterSecret: null,
            (channel, token) =>
            {
                peerReady.Wait(token);
                return new TokenSink.TokenSinkClient(channel).Tokens(cancellationToken: token);
            },
            (frame, reason) => undelivered.Enqueue((frame, reason)),
            capacity: 4);

        for (var step = 0; step < 6; step++)
        {
            stream.Send(new TokenFrame { RequestId = "r", Step = step });
        }

        // The pump reads only once the stream is open: 4 fit, the 2 newest come back at once with the reason.
        CollectionAssert.AreEqual(new[] { 4, 5 }, undelivered.Select(u => u.Frame.Step).ToArray());
        StringAssert.Contains(undelivered.First().Reason.Message, "is full (4 messages)");

        peerReady.Release();
        var delivered = new List<int>();
        while (delivered.Count < 4 && sink.Received.TryTake(out var frame, TimeSpan.FromMinutes(1)))
        {
            delivered.Add(frame.Step);
        }

        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3 }, delivered, "what was queued is delivered in order");
    }
}
