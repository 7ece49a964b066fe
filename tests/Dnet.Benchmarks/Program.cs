using System.Text.Json;
using Dnet.Benchmarks.Engine;
using Dnet.Benchmarks.Recording;
using Dnet.Benchmarks.Serving;
using Dnet.Benchmarks.Tracing;

// Each benchmark is a subcommand returning a JSON-serializable result; add new ones to this table.
var benchmarks = new Dictionary<string, Func<string[], object>>(StringComparer.Ordinal)
{
    ["engine"] = EngineBenchmark.Run,
    ["linear"] = LinearBandwidth.Run,
    ["serve"] = ServeBenchmark.Run,
    ["tracing"] = TracingBenchmark.Run,
    ["sink"] = SinkRateBenchmark.Run,
    // Not a benchmark: records golden traces from the real cluster for the analytics tests.
    ["record-traces"] = TraceRecorder.Run,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: Dnet.Benchmarks <{string.Join("|", benchmarks.Keys)}> [options]");
    return 2;
}
var result = run(args[1..]);
Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
return 0;
