using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using Dnet.Benchmarks.Shared;
using Dnet.Benchmarks.Tracing;
using Dnet.Contracts.Tracing;
using StackExchange.Redis;

namespace Dnet.Benchmarks.Recording;

/// <summary>
/// Records golden traces for the analytics tests: one streamed chat completion on the real cluster (1, 2 and 3 shards,
/// and 2 shards under a trace-control prefix filter), and the raw <c>dnet:spans</c> stream entries that carry its
/// spans, field for field as the nodes wrote them. Nothing is added or edited: the tests replay these entries.
/// Options: <c>--out DIR</c> (default tests/Dnet.Analytics.Tests/Golden), <c>--model NAME</c> (default dnet-tiny).
/// </summary>
static class TraceRecorder
{
    static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(30);

    /// <summary>Frees and late frames (KV free after the response) are flushed within a few flush intervals.</summary>
    static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    static readonly (string Name, int Shards, string[] Prefixes)[] Scenarios =
    [
        ("one-shard", 1, []),
        ("two-shard", 2, []),
        ("two-shard-prefix-filter", 2, ["compute."]),
        ("three-shard", 3, []),
    ];

    public static object Run(string[] args)
    {
        var output = BenchOptions.String(args, "--out", Path.Combine("tests", "Dnet.Analytics.Tests", "Golden"));
        var model = BenchOptions.String(args, "--model", "dnet-tiny");
        Directory.CreateDirectory(output);
        var written = new List<object>();
        foreach (var group in Scenarios.GroupBy(s => s.Shards))
        {
            written.AddRange(RecordOnClusterAsync(group.Key, model, [.. group], output, CancellationToken.None).GetAwaiter().GetResult());
        }

        return new { Benchmark = "record-traces", Model = model, Files = written };
    }

    static async Task<List<object>> RecordOnClusterAsync(
        int shards, string model, IReadOnlyList<(string Name, int Shards, string[] Prefixes)> scenarios, string output, CancellationToken cancellationToken)
    {
        await using var cluster = await BenchCluster.StartAsync(shards, model, apiKey: null, cancellationToken);
        using var analytics = cluster.CreateClient("analytics");
        var redis = await ConnectionMultiplexer.ConnectAsync(
            await cluster.App.GetConnectionStringAsync("redis", cancellationToken) ?? throw new InvalidOperationException("redis has no connection string"));
        var load = new ChatLoad(model, "Record where the time goes.", MaxTokens: 8);
        // Warm-up: the first request of a process pays for JIT and lazy native initialisation; golden traces show the steady state.
        await ChatStream.SendAsync(cluster.Gateway, load, seed: 1, cancellationToken);

        var files = new List<object>();
        foreach (var (name, _, prefixes) in scenarios)
        {
            await TraceSwitch.SetAsync(cluster.Gateway, enabled: true, prefixes, cancellationToken);
            var timing = await ChatStream.SendAsync(cluster.Gateway, load, seed: 7, cancellationToken);
            await TraceSwitch.SetAsync(cluster.Gateway, enabled: true, cancellationToken);
            var completionId = timing.CompletionId ?? throw new InvalidOperationException("the stream carried no completion id");
            await WaitForStatsAsync(analytics, completionId, shards, cancellationToken);
            await Task.Delay(Settle, cancellationToken);

            var entries = await redis.GetDatabase().StreamRangeAsync(SpanStream.Key);
            var traceId = RootTraceId(entries, completionId);
            var recorded = entries.Where(entry => CarriesTrace(entry, traceId)).ToList();
            var path = Path.Combine(output, $"{name}.json");
            await File.WriteAllTextAsync(path, Document(name, model, shards, prefixes, completionId, traceId, timing, recorded).ToJsonString(
                new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
            Console.Error.WriteLine($"record-traces: {name}: {recorded.Count} stream entries of trace {traceId} -> {path}");
            files.Add(new { Name = name, Path = path, Entries = recorded.Count, TraceId = traceId });
        }

        await redis.DisposeAsync();
        return files;
    }

    /// <summary>Waits until analytics has the request complete with a frame from every shard: every node flushed.</summary>
    static async Task WaitForStatsAsync(HttpClient analytics, string completionId, int shards, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SettleLimit);
        while (true)
        {
            using var response = await analytics.GetAsync($"/analytics/requests/{completionId}?format=json", timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                using var stats = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
                if (stats.RootElement.GetProperty("complete").GetBoolean() && stats.RootElement.GetProperty("nodes").GetArrayLength() == shards + 1)
                {
                    return;
                }
            }

            await Task.Delay(250, timeout.Token);
        }
    }

    static IEnumerable<ExportedSpan> Spans(StreamEntry entry) =>
        SpanBatch.FromStreamFields(entry.Values.Select(v => new KeyValuePair<string, string>(v.Name!, v.Value!))).Spans;

    /// <summary>The trace of the request's root span: the one whose <c>gen_ai.response.id</c> is the completion's id.</summary>
    static string RootTraceId(StreamEntry[] entries, string completionId) =>
        entries.SelectMany(Spans)
            .First(span => span.Attributes is { } attributes
                && attributes.TryGetValue("gen_ai.response.id", out var id) && id?.ToString() == completionId)
            .TraceId!;

    static bool CarriesTrace(StreamEntry entry, string traceId) => Spans(entry).Any(span => span.TraceId == traceId);

    static JsonObject Document(
        string name, string model, int shards, string[] prefixes, string completionId, string traceId, RequestTiming timing, List<StreamEntry> entries) => new()
        {
            ["scenario"] = name,
            ["recorded_at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["model"] = model,
            ["shards"] = shards,
            ["include_prefixes"] = new JsonArray([.. prefixes.Select(p => JsonValue.Create(p))]),
            ["completion_id"] = completionId,
            ["trace_id"] = traceId,
            // What the client measured (its own clock), for cross-checks against the spans.
            ["client"] = new JsonObject
            {
                ["ttft_ms"] = timing.TtftMs,
                ["e2e_ms"] = timing.E2eMs,
                ["prompt_tokens"] = timing.PromptTokens,
                ["completion_tokens"] = timing.OutputTokens,
            },
            ["entries"] = new JsonArray([.. entries.Select(entry => new JsonObject
        {
            ["id"] = entry.Id.ToString(),
            ["fields"] = new JsonArray([.. entry.Values.Select(v => new JsonArray(JsonValue.Create(v.Name.ToString()), JsonValue.Create(v.Value.ToString())))]),
        })]),
        };
}
