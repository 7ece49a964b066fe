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
    public void CountersAreOptionalAndRoundTripWhenPresent()
    {
        var spans = new List<ExportedSpan>
        {
            new() { TraceId = "0af7651916cd43dd8448eb211c80319c", SpanId = "b7ad6b7169203331", Name = FrameNames.NetworkRx, StartUnixNs = 1, DurationNs = 2 },
        };
        var header = SpanBatch.HeaderFields("shard-0", "Dnet.Shard", "i", 7, dropped: 5, exported: 40, buffered: 12);
        var fields = header.Append(new(SpanStream.SpansField, System.Text.Encoding.UTF8.GetString(SpanBatch.EncodeSpans(spans)))).ToList();

        var read = SpanBatch.FromStreamFields(fields);

        CollectionAssert.AreEqual(
            new[] { "node", "service", "instance", "seq", "schema", "dropped", "exported", "buffered", "spans" },
            fields.Select(f => f.Key).ToArray());
        Assert.AreEqual(40L, read.Exported);
        Assert.AreEqual(12L, read.Buffered);
        Assert.AreEqual(5L, read.Dropped);
        Assert.AreEqual(7L, read.Seq);
        Assert.AreEqual(spans[0] with { Attributes = read.Spans[0].Attributes }, read.Spans[0]);
        var written = new SpanBatch { Node = "n", Service = "s", Instance = "i", Seq = 1, Dropped = 0, Spans = spans, Exported = 40, Buffered = 12 };
        Assert.AreEqual(fields[^1].Value, written.ToStreamFields()[^1].Value, "pre-encoded spans are the same bytes as ToStreamFields writes");

        var old = SpanBatch.FromStreamFields(fields.Where(f => f.Key is not ("exported" or "buffered")));
        Assert.IsNull(old.Exported, "a producer that predates the counters is read, without them");
        Assert.IsNull(old.Buffered);
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
