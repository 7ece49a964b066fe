using Aspire.Hosting.Testing;
using Dnet.Benchmarks.Shared;

namespace Dnet.Benchmarks.Tracing;

/// <summary>
/// What tracing costs and what analytics keeps up with: (a) decode tokens/s with tracing on vs off on one 2-shard
/// cluster, (b) analytics ingest spans/s from the span stream, (c) annotate latency over a million stored spans.
/// Options: <c>--model NAME</c>, <c>--rounds N</c> (per state), <c>--requests N</c> (per round), <c>--max-tokens N</c>,
/// <c>--batches N</c>, <c>--batch-spans N</c>, <c>--spans N</c> (annotate store), <c>--runs N</c> (annotate repeats).
/// </summary>
static class TracingBenchmark
{
    const int Shards = 2;

    public static object Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    static async Task<object> RunAsync(string[] args)
    {
        string model = BenchOptions.String(args, "--model", "dnet-bench-135m");
        ChatLoad load = new(model, ChatLoad.DefaultPrompt, BenchOptions.Int(args, "--max-tokens", 64));
        string? loadAtStart = BenchOptions.LoadAverage();

        OverheadResult overhead;
        IngestResult ingest;
        await using (var cluster = await BenchCluster.StartAsync(Shards, model, BenchOptions.ApiKey(args), CancellationToken.None))
        {
            load = load with { Model = await cluster.ServedModelAsync(CancellationToken.None) };
            Console.Error.WriteLine("tracing: warm-up request");
            await ChatStream.SendAsync(cluster.Gateway, load, seed: 0, CancellationToken.None);
            overhead = await TracingOverhead.RunAsync(cluster.Gateway, load,
                BenchOptions.Int(args, "--rounds", 3), BenchOptions.Int(args, "--requests", 2), CancellationToken.None);

            // Tracing off while ingesting: only the synthetic spans reach the store, so its counter times them alone.
            await TraceSwitch.SetAsync(cluster.Gateway, enabled: false, CancellationToken.None);
            using var analytics = cluster.CreateClient("analytics");
            string redis = await cluster.App.GetConnectionStringAsync("redis")
                ?? throw new InvalidOperationException("The cluster has no redis connection string.");
            ingest = await IngestThroughput.RunAsync(redis, analytics,
                BenchOptions.Int(args, "--batches", 200), BenchOptions.Int(args, "--batch-spans", 250), CancellationToken.None);
            await TraceSwitch.SetAsync(cluster.Gateway, enabled: true, CancellationToken.None);
        }

        // After the cluster is gone, so its processes do not share the cores with the annotate.
        var annotate = AnnotateLatency.Run(BenchOptions.Int(args, "--spans", 1_000_000), BenchOptions.Int(args, "--runs", 5));
        return new
        {
            Benchmark = "tracing",
            Model = model,
            Shards,
            Cores = Environment.ProcessorCount,
            LoadAverageAtStart = loadAtStart,
            LoadAverageAtEnd = BenchOptions.LoadAverage(),
            Overhead = overhead,
            Ingest = ingest,
            Annotate = annotate,
        };
    }
}
