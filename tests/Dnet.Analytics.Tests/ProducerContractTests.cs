using Dnet.Contracts.Tracing;
using Dnet.ServiceDefaults.Tracing;

namespace Dnet.Analytics.Tests;

/// <summary>
/// The real producer against the real consumer: the analytics host runs the service defaults' span stream exporter
/// like every Dnet process, and frames opened in this process go through it to <c>dnet:spans</c>.
/// </summary>
[TestClass]
public sealed class ProducerContractTests
{
    [TestMethod]
    public async Task Frames_exported_by_the_span_stream_exporter_are_analysed()
    {
        await TestRedis.Client.GetDatabase().KeyDeleteAsync(SpanStream.Key);
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, SpanStream.Key, ("Dnet:Node", "gateway"));
        var requestId = $"chatcmpl-{Guid.NewGuid():n}";

        DateTime rootStart;
        DateTime? firstToken = null;
        using (var root = DnetFrames.StartChat(RequestTrace.Model, requestId))
        {
            Assert.IsNotNull(root, "the exporter's tracer provider listens to Dnet frames");
            rootStart = root.StartTimeUtc;
            await Task.Delay(20);
            for (var i = 0; i < 3; i++)
            {
                using var token = DnetFrames.Start(FrameNames.RequestToken);
                token?.SetTag(SpanAttributes.RequestId, requestId).SetTag(SpanAttributes.TokenIndex, i);
                firstToken ??= token?.StartTimeUtc;
                await Task.Delay(5);
            }

            root.SetTag(SpanAttributes.OutputTokens, 3);
        }

        var stats = await host.WaitForJsonAsync($"/analytics/requests/{requestId}?format=json", s => (bool)s["complete"]!);
        Assert.AreEqual(3, (int)stats["emitted_tokens"]!);
        Assert.AreEqual(3, (long)stats["generated_tokens"]!);
        Assert.AreEqual((firstToken!.Value - rootStart).TotalMilliseconds, (double)stats["ttft_ms"]!, 1e-3, "start times survive the wire to the tick");
        Assert.IsTrue((double)stats["ttft_ms"]! < (double)stats["end_to_end_ms"]!);
        var status = await host.GetJsonAsync("/analytics/status");
        var exporter = status["exporters"]!.AsArray().Single(e => (string)e!["node"]! == "gateway")!;
        Assert.AreEqual(0, (long)exporter["missing_batches"]!);
        Assert.AreEqual(0, (long)exporter["dropped_spans"]!);

        // The real exporter reports what it took in: every one of those spans is stored here.
        var account = (await host.WaitForJsonAsync("/analytics/status", s =>
            s["nodes"]!.AsArray().Single(n => (string)n!["node"]! == "gateway")!["buffered_spans"]!.GetValue<long>() == 0))
            ["nodes"]!.AsArray().Single(n => (string)n!["node"]! == "gateway")!;
        Assert.AreEqual(4, (long)account["exported_spans"]!);
        Assert.AreEqual(4, (long)account["stored_spans"]!);
        Assert.AreEqual(0, (long)account["in_flight_spans"]!);
    }
}
