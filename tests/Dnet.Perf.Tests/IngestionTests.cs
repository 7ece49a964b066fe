using System.Text.Json;

namespace Dnet.Perf.Tests;

[TestClass]
public sealed class IngestionTests
{
    private const string Batch = """
        [
          { "trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b7ad6b7169203331", "parent_span_id": null,
            "name": "chat tiny", "node": "gateway", "service": "gateway",
            "start_unix_ns": 1000000000, "duration_ns": 100000000, "status": "ok",
            "attributes": { "gen_ai.operation.name": "chat", "dnet.request_id": "chatcmpl-1",
                            "gen_ai.usage.input_tokens": 7, "gen_ai.usage.output_tokens": 2,
                            "gen_ai.response.finish_reasons": ["stop"] } },
          { "trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "00f067aa0ba902b7", "parent_span_id": "b7ad6b7169203331",
            "name": "request.token", "node": "gateway", "start_unix_ns": 1030000000, "duration_ns": 1000,
            "attributes": { "dnet.request_id": "chatcmpl-1", "dnet.token_index": 0 } },
          { "trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "00f067aa0ba902b8", "parent_span_id": "b7ad6b7169203331",
            "name": "request.token", "node": "gateway", "start_unix_ns": 1050000000, "duration_ns": 1000,
            "attributes": { "dnet.request_id": "chatcmpl-1", "dnet.token_index": 1 } }
        ]
        """;

    [TestMethod]
    public void SpansDeserializedFromJsonAreReadThroughJsonElements()
    {
        var spans = JsonSerializer.Deserialize<SpanRecord[]>(Batch, ReportJson.Options)!;
        using var store = new SpanStore();
        store.Add(spans);

        var stats = new PerfAnalyzer(store).RequestStats("chatcmpl-1")!;

        Assert.IsTrue(stats.Complete);
        Assert.AreEqual(7L, stats.PromptTokens);
        Assert.AreEqual("stop", stats.FinishReasons);
        Assert.AreEqual(30.0, stats.TtftMs!.Value, 1e-9);
        Assert.AreEqual(20.0, stats.InterTokenLatency!.MeanMs, 1e-9);
    }

    [TestMethod]
    public void StringAttributesAreParsedWhenRead()
    {
        var trace = new RequestTrace(requestId: null);
        var span = trace.Add("network.tx", "shard-0", 0, 1) with
        {
            Attributes = SpanRecord.AttributesFrom(new Dictionary<string, string>
            {
                [SpanAttributes.RequestId] = "r9",
                [SpanAttributes.Bytes] = "4096",
            }),
        };
        using var store = new SpanStore();
        store.Add([span]);

        var stats = new PerfAnalyzer(store).RequestStats("r9")!;

        Assert.AreEqual(4096L, stats.Node("shard-0").BytesSent);
    }
}
