using System.Text.Json;
using Dnet.Contracts.Tracing;
using StackExchange.Redis;

namespace Dnet.Analytics.Tests;

/// <summary>
/// A golden trace: the raw <c>dnet:spans</c> stream entries that carried one request's spans on the real cluster,
/// recorded by <c>dotnet run -c Release --project tests/Dnet.Benchmarks -- record-traces</c>, and what the client measured.
/// Tests replay the entries field for field into a stream of their own and read the spans back for independent sums.
/// </summary>
internal sealed class GoldenTrace
{
    private GoldenTrace(JsonElement root)
    {
        Scenario = root.GetProperty("scenario").GetString()!;
        Model = root.GetProperty("model").GetString()!;
        Shards = root.GetProperty("shards").GetInt32();
        IncludePrefixes = [.. root.GetProperty("include_prefixes").EnumerateArray().Select(p => p.GetString()!)];
        CompletionId = root.GetProperty("completion_id").GetString()!;
        TraceId = root.GetProperty("trace_id").GetString()!;
        var client = root.GetProperty("client");
        ClientTtftMs = client.GetProperty("ttft_ms").GetDouble();
        ClientCompletionTokens = client.GetProperty("completion_tokens").GetInt32();
        Entries = [.. root.GetProperty("entries").EnumerateArray().Select(entry =>
            entry.GetProperty("fields").EnumerateArray()
                .Select(pair => new KeyValuePair<string, string>(pair[0].GetString()!, pair[1].GetString()!))
                .ToList())];
        Batches = [.. Entries.Select(SpanBatch.FromStreamFields)];
    }

    public static IEnumerable<object[]> All =>
        Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Golden"), "*.json").Order().Select(path => new object[] { Path.GetFileName(path) });

    public string Scenario { get; }

    public string Model { get; }

    public int Shards { get; }

    public IReadOnlyList<string> IncludePrefixes { get; }

    public string CompletionId { get; }

    public string TraceId { get; }

    public double ClientTtftMs { get; }

    public int ClientCompletionTokens { get; }

    public IReadOnlyList<List<KeyValuePair<string, string>>> Entries { get; }

    public IReadOnlyList<SpanBatch> Batches { get; }

    /// <summary>The request's spans with the node that emitted them (the batch's).</summary>
    public IEnumerable<(string Node, ExportedSpan Span)> Spans =>
        Batches.SelectMany(batch => batch.Spans.Where(span => span.TraceId == TraceId).Select(span => (batch.Node, span)));

    /// <summary>The request id the gateway's root span carries.</summary>
    public string RequestId => Spans.Single(s => s.Span.Name!.StartsWith(FrameNames.ChatPrefix, StringComparison.Ordinal))
        .Span.Attributes![SpanAttributes.RequestId]!.ToString()!;

    public static GoldenTrace Load(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", file)));
        return new GoldenTrace(document.RootElement.Clone());
    }

    /// <summary>Writes every entry, in recorded order and exactly as recorded, to <paramref name="stream"/>.</summary>
    public async Task ReplayAsync(TestStream stream)
    {
        foreach (var fields in Entries)
        {
            await stream.AddRawAsync([.. fields.Select(f => new NameValueEntry(f.Key, f.Value))]);
        }
    }
}
