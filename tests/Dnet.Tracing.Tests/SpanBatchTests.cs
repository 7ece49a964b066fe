using System.Text.Json;
using Dnet.Contracts.Tracing;

namespace Dnet.Tracing.Tests;

[TestClass]
public sealed class SpanBatchTests
{
    [TestMethod]
    public void StreamFieldsRoundTrip()
    {
        var batch = new SpanBatch
        {
            Node = "shard-1",
            Service = "Dnet.Shard",
            Instance = "abc",
            Seq = 12,
            Dropped = 3,
            Spans =
            [
                new ExportedSpan
                {
                    TraceId = "0af7651916cd43dd8448eb211c80319c",
                    SpanId = "b7ad6b7169203331",
                    ParentSpanId = "00f067aa0ba902b7",
                    Name = FrameNames.NetworkTx,
                    StartUnixNs = 1_764_000_000_123_456_789,
                    DurationNs = 42_000,
                    Status = SpanStatusCode.Error,
                    StatusDescription = "next hop gone",
                    Attributes = new Dictionary<string, object?>
                    {
                        [SpanAttributes.Bytes] = 8192L,
                        [SpanAttributes.Flops] = 2.5,
                        [SpanAttributes.Layers] = "16-31",
                        [SpanAttributes.FinishReasons] = new[] { "stop" },
                    },
                },
            ],
        };

        var fields = batch.ToStreamFields();
        var read = SpanBatch.FromStreamFields(fields);

        CollectionAssert.AreEqual(
            new[] { "node", "service", "instance", "seq", "schema", "dropped", "spans" },
            fields.Select(f => f.Key).ToArray());
        StringAssert.Contains(fields[^1].Value, "\"start_unix_ns\":1764000000123456789");
        StringAssert.Contains(fields[^1].Value, "\"status\":\"error\"");
        Assert.AreEqual(batch with { Spans = read.Spans }, read);
        var span = read.Spans.Single();
        Assert.AreEqual(batch.Spans[0] with { Attributes = span.Attributes }, span);
        Assert.AreEqual(8192L, ((JsonElement)span.Attributes[SpanAttributes.Bytes]!).GetInt64());
        Assert.AreEqual(2.5, ((JsonElement)span.Attributes[SpanAttributes.Flops]!).GetDouble());
        Assert.AreEqual("stop", ((JsonElement)span.Attributes[SpanAttributes.FinishReasons]!)[0].GetString());
    }

    [TestMethod]
    public void MissingFieldOrNewerSchemaIsAFormatError()
    {
        var fields = new Dictionary<string, string>
        {
            ["node"] = "gateway",
            ["service"] = "Dnet.Gateway",
            ["instance"] = "x",
            ["seq"] = "1",
            ["dropped"] = "0",
            ["spans"] = "[]",
        };
        Assert.ThrowsExactly<FormatException>(() => SpanBatch.FromStreamFields(fields));

        fields["schema"] = (SpanBatch.CurrentSchema + 1).ToString();
        Assert.ThrowsExactly<FormatException>(() => SpanBatch.FromStreamFields(fields));

        fields["schema"] = "1";
        Assert.IsEmpty(SpanBatch.FromStreamFields(fields).Spans);
    }
}
