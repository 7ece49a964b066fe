using Dnet.Benchmarks.Shared;

namespace Dnet.Benchmarks.Serving;

/// <summary>
/// Serving benchmark of the real cluster, like vLLM's <c>bench serve</c>: per shard count a fresh AppHost, a warm-up
/// request, then each concurrency level; TTFT, TPOT, ITL and end-to-end latency, throughput, and the latency one more
/// shard-to-shard hop adds, and the batching targets of issue #10 as ratios measured in this run. Options:
/// <c>--shards 1,2</c>, <c>--concurrency 1,8,32</c> (on 1 shard), <c>--multi-shard-concurrency 1</c> (on more shards),
/// <c>--requests N</c> (per level; default max(8, 2 x in flight)), <c>--max-tokens N</c>, <c>--model NAME</c>
/// (<c>dnet-tiny</c> for a quick run). <c>--remote-shards</c> runs every shard count twice, with the AppHost's own
/// shards and with shards in network namespaces (each its own host on a bridge), and reports what a hop over the
/// network costs compared with loopback. <c>--paired-rounds N</c> (default 24; 0 skips) measures N shards against 1
/// shard once more in interleaved pairs of requests (<see cref="PairedHop"/>). Afterwards the 1-shard levels' workloads run once more on the engine alone
/// (<see cref="EngineBound"/>; <c>--no-engine-bound</c> skips it), for the ratios batching could reach here at best.
/// </summary>
static class ServeBenchmark
{
    public static object Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    static async Task<object> RunAsync(string[] args)
    {
        string model = BenchOptions.String(args, "--model", "dnet-bench-135m");
        int[] shardCounts = BenchOptions.IntList(args, "--shards", "1,2");
        int[] concurrencies = BenchOptions.IntList(args, "--concurrency", "1,8,32");
        int[] multiShardConcurrencies = BenchOptions.IntList(args, "--multi-shard-concurrency", "1");
        int? requests = args.Contains("--requests") ? BenchOptions.Int(args, "--requests", 8) : null;
        ChatLoad load = new(model, ChatLoad.DefaultPrompt, BenchOptions.Int(args, "--max-tokens", 32));
        string? loadAtStart = BenchOptions.LoadAverage();
        ProcessCpu.TrackChildren();

        bool remote = args.Contains("--remote-shards");
        var clusters = new List<ClusterResult>();
        var remoteClusters = new List<ClusterResult>();
        foreach (int shards in shardCounts)
        {
            clusters.Add(await MeasureAsync(shards, remote: false));
            if (remote)
            {
                remoteClusters.Add(await MeasureAsync(shards, remote: true));
            }
        }

        // The hop's cost once more, in interleaved pairs of requests to a 1-shard and an N-shard cluster (see PairedHop).
        int pairedRounds = BenchOptions.Int(args, "--paired-rounds", 24);
        var paired = new List<PairedHopResult>();
        if (pairedRounds > 0 && shardCounts.Contains(1))
        {
            foreach (int shards in shardCounts.Where(n => n > 1))
            {
                paired.Add(await PairedHop.MeasureAsync(shards, model, BenchOptions.ApiKey(args), load, pairedRounds));
            }
        }

        // The engine alone on each 1-shard level's workload, after every cluster stopped (see EngineBound).
        var oneShard = clusters.FirstOrDefault(c => c.Shards == 1);
        var bounds = oneShard is null || args.Contains("--no-engine-bound") ? null : EngineBound.Measure(model, oneShard.Levels);

        return new
        {
            Benchmark = "serve",
            Model = model,
            RequestsPerLevel = requests?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "max(8, 2 x concurrency)",
            load.MaxTokens,
            Sampling = "temperature 1, seed = request index (no ignore_eos: output tokens counted from the usage chunk)",
            TokenEvents = "SSE chunks with content text or logprob entries (logprobs requested so tokens without printable text still arrive one by one)",
            Distribution.PercentileMethod,
            Cores = Environment.ProcessorCount,
            LoadAverageAtStart = loadAtStart,
            LoadAverageAtEnd = BenchOptions.LoadAverage(),
            Clusters = clusters,
            PerHopOverhead = PerHop(clusters, concurrencies),
            PairedHop = paired,
            EngineBound = bounds,
            Targets = Targets(clusters, bounds, paired.FirstOrDefault(p => p.Shards == 2)),
            RemoteShards = remote ? remoteClusters : null,
            RemotePerHopOverhead = remote ? PerHop(remoteClusters, multiShardConcurrencies) : null,
            RemoteVsLocalPerHop = remote ? RemoteVsLocal(clusters, remoteClusters, [.. concurrencies.Union(multiShardConcurrencies)]) : null,
        };

        async Task<ClusterResult> MeasureAsync(int shards, bool remote)
        {
            string where = remote ? "remote shard(s)" : "shard(s)";
            await using var cluster = remote
                ? await BenchCluster.StartRemoteAsync(shards, model, BenchOptions.ApiKey(args), CancellationToken.None)
                : await BenchCluster.StartAsync(shards, model, BenchOptions.ApiKey(args), CancellationToken.None);
            load = load with { Model = await cluster.ServedModelAsync(CancellationToken.None) };
            int[] levelConcurrencies = shards == 1 ? concurrencies : multiShardConcurrencies;
            await WarmUpAsync(cluster, load, levelConcurrencies.Max(), where, shards);
            var levels = new List<LevelResult>();
            foreach (int concurrency in levelConcurrencies)
            {
                // Every level samples the same seeds, so the levels generate the same texts. At least two rounds of
                // requests per level, so the in-flight count holds for most of the level rather than only at its start.
                int count = requests ?? Math.Max(8, 2 * concurrency);
                var cpuBefore = ProcessCpu.Snapshot();
                double? stolenBefore = ProcessCpu.StolenSeconds();
                var level = await LoadLevel.RunAsync(cluster.Gateway, load, concurrency, count, seedBase: 1, CancellationToken.None);
                level = level with
                {
                    CpuSeconds = ProcessCpu.Between(cpuBefore, ProcessCpu.Snapshot()),
                    StolenCores = ProcessCpu.StolenCoresSince(stolenBefore, level.WallSeconds),
                };
                Console.Error.WriteLine(
                    $"serve: {shards} {where}, concurrency {concurrency}: {level.OutputTokensPerS} tok/s, " +
                    $"TTFT p50 {level.TtftMs.Median} ms, ITL p50 {level.ItlMs.Median} ms, {level.FailedRequests} failed, " +
                    $"{level.BusyCores} cores busy, {level.StolenCores} stolen by other guests ({string.Join(", ", (level.CpuSeconds ?? new Dictionary<string, double>()).Select(p => $"{p.Key} {p.Value} s"))})");
                levels.Add(level);
            }

            return new ClusterResult(shards, cluster.StartupSeconds, levels);
        }
    }

    /// <summary>
    /// Brings every process to steady state before the first level: one request, then a burst of max(8, the highest
    /// concurrency to come) requests all in flight, with seeds no level uses, then a pause so that the runtime's
    /// background compilation of what the burst ran finishes. With one warm-up request only, the first level ran on
    /// code the runtime had not optimized yet: 1 shard at 1 in flight measured 39-41 tokens/s where the same cluster
    /// warm gives 55-67, which flattered every ratio over it, and the gateway spent 2.4 CPU seconds on a 2-shard level
    /// that costs it 0.9 once warm.
    /// </summary>
    internal static async Task WarmUpAsync(BenchCluster cluster, ChatLoad load, int concurrency, string where, int shards)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        const int WarmUpSeeds = 1_000_000;
        int burst = Math.Max(8, concurrency);
        await ChatStream.SendAsync(cluster.Gateway, load, seed: 0, CancellationToken.None);
        var result = await LoadLevel.RunAsync(cluster.Gateway, load, burst, burst, WarmUpSeeds, CancellationToken.None);
        await Task.Delay(SettlePause);
        Console.Error.WriteLine(
            $"serve: {shards} {where}: warmed up in {watch.Elapsed.TotalSeconds:F1} s (one request, then {result.CompletedRequests} in flight at once)");
    }

    static readonly TimeSpan SettlePause = TimeSpan.FromSeconds(2);

    /// <summary>
    /// What crossing the network costs one hop, per shard count and concurrency: (median with remote shards - with
    /// local shards) / hops per token. A decode step makes N + 1 hops on N shards (gateway to the first shard, shard to
    /// shard, the last shard's token to the gateway's sink); with remote shards every one crosses a veth pair and the
    /// bridge instead of loopback. Same seeds and texts in both runs.
    /// </summary>
    static List<RemoteHopOverhead> RemoteVsLocal(List<ClusterResult> local, List<ClusterResult> remote, int[] concurrencies) =>
        [.. from concurrency in concurrencies
            from near in local
            let far = remote.FirstOrDefault(r => r.Shards == near.Shards)
            where far is not null
            let nearLevel = Level(near, concurrency)
            let farLevel = Level(far, concurrency)
            where nearLevel is not null && farLevel is not null
            let hops = near.Shards + 1
            select new RemoteHopOverhead(concurrency, near.Shards, hops,
                nearLevel.ItlMs.Median, farLevel.ItlMs.Median, Extra(farLevel.ItlMs, nearLevel.ItlMs, hops),
                nearLevel.TpotMs.Median, farLevel.TpotMs.Median, Extra(farLevel.TpotMs, nearLevel.TpotMs, hops),
                nearLevel.TtftMs.Median, farLevel.TtftMs.Median)];

    static double? Extra(Distribution remote, Distribution local, int hops) =>
        remote.Median is { } r && local.Median is { } l ? Math.Round((r - l) / hops, 3) : null;

    /// <summary>
    /// Issue #10's serving targets, as ratios of levels measured in this run: 1 shard, output tokens/s at 8 and 32 in
    /// flight over 1 in flight (>= 4 and >= 6); 2 shards over 1 shard at 1 in flight, decode tokens/s (1000 / TPOT
    /// median, >= 0.9; output tokens/s too), from the sequential levels and from the interleaved pairs (median of the
    /// pairs' ratios), which the host's drift between levels does not reach. Null where a level was not run.
    /// </summary>
    static object Targets(List<ClusterResult> clusters, List<BoundLevel>? bounds, PairedHopResult? paired)
    {
        var one = clusters.FirstOrDefault(c => c.Shards == 1);
        var two = clusters.FirstOrDefault(c => c.Shards == 2);
        var single = one is null ? null : Level(one, 1);
        var twoSingle = two is null ? null : Level(two, 1);
        return new
        {
            OneShard8Over1 = Ratio(Rate(one, 8), single?.OutputTokensPerS, 4),
            OneShard32Over1 = Ratio(Rate(one, 32), single?.OutputTokensPerS, 6),
            TwoShardsOverOneAt1DecodeTokensPerS = Ratio(DecodeRate(twoSingle), DecodeRate(single), 0.9),
            TwoShardsOverOneAt1OutputTokensPerS = Ratio(twoSingle?.OutputTokensPerS, single?.OutputTokensPerS, 0.9),
            TwoShardsOverOneAt1DecodeTokensPerSPaired = Ratio(paired?.DecodeRatio.Median, 1, 0.9),
            // The same ratios for the engine alone on the same workload: the most batching can give here.
            EngineBound8Over1 = BoundRatio(bounds, 8, b => b.EngineTokensPerS),
            EngineBound32Over1 = BoundRatio(bounds, 32, b => b.EngineTokensPerS),
            // The same with no prompts at all: what batching decode rows alone gives on this machine.
            DecodeOnly8Over1 = BoundRatio(bounds, 8, b => b.DecodeOnlyTokensPerS),
            DecodeOnly32Over1 = BoundRatio(bounds, 32, b => b.DecodeOnlyTokensPerS),
            TtftP99Ms = one?.Levels.Select(l => new { l.Concurrency, P99 = l.TtftMs.P99, l.TtftMs.Median }).ToList(),
        };
    }

    static double? BoundRatio(List<BoundLevel>? bounds, int concurrency, Func<BoundLevel, double> rate) =>
        bounds?.FirstOrDefault(b => b.Concurrency == concurrency) is { } level && bounds.FirstOrDefault(b => b.Concurrency == 1) is { } single
            ? Math.Round(rate(level) / rate(single), 3)
            : null;

    static double? Rate(ClusterResult? cluster, int concurrency) => cluster is null ? null : Level(cluster, concurrency)?.OutputTokensPerS;

    static double? DecodeRate(LevelResult? level) => level?.TpotMs.Median is { } tpot and > 0 ? 1000 / tpot : null;

    static object? Ratio(double? value, double? baseline, double target) =>
        value is { } v && baseline is { } b && b > 0 ? new { Ratio = Math.Round(v / b, 3), Target = target, Met = v / b >= target } : null;

    /// <summary>
    /// (ITL median at N shards - at 1 shard)/(N-1) per concurrency: what each extra hop costs a token. The same from
    /// TPOT medians too: with several requests in flight tokens can arrive in bursts, and the ITL median then says little.
    /// </summary>
    static List<HopOverhead> PerHop(List<ClusterResult> clusters, int[] concurrencies)
    {
        var single = clusters.FirstOrDefault(c => c.Shards == 1);
        return [.. from concurrency in concurrencies
                   from cluster in clusters
                   where cluster.Shards > 1
                   let level = Level(cluster, concurrency)
                   let baseline = single is null ? null : Level(single, concurrency)
                   select new HopOverhead(concurrency, cluster.Shards,
                       level?.ItlMs.Median, baseline?.ItlMs.Median, PerHopMs(level?.ItlMs, baseline?.ItlMs, cluster.Shards),
                       level?.TpotMs.Median, baseline?.TpotMs.Median, PerHopMs(level?.TpotMs, baseline?.TpotMs, cluster.Shards))];
    }

    static LevelResult? Level(ClusterResult cluster, int concurrency) =>
        cluster.Levels.FirstOrDefault(level => level.Concurrency == concurrency);

    static double? PerHopMs(Distribution? shards, Distribution? single, int shardCount) =>
        shards?.Median is { } n && single?.Median is { } b ? Math.Round((n - b) / (shardCount - 1), 3) : null;
}

/// <summary>Every concurrency level of one cluster size.</summary>
sealed record ClusterResult(int Shards, double StartupSeconds, IReadOnlyList<LevelResult> Levels);

/// <summary>The per-hop overhead of one cluster size at one concurrency, from ITL and TPOT medians; null without a 1-shard baseline.</summary>
sealed record HopOverhead(
    int Concurrency,
    int Shards,
    double? ItlMedianMs,
    double? SingleShardItlMedianMs,
    double? PerHopMs,
    double? TpotMedianMs,
    double? SingleShardTpotMedianMs,
    double? TpotPerHopMs);

/// <summary>
/// Remote against local shards at one size and concurrency: ITL and TPOT medians of each, the extra per hop
/// ((remote - local) / hops), and TTFT medians (prefill crosses the same hops once).
/// </summary>
sealed record RemoteHopOverhead(
    int Concurrency,
    int Shards,
    int HopsPerToken,
    double? LocalItlMedianMs,
    double? RemoteItlMedianMs,
    double? ItlExtraPerHopMs,
    double? LocalTpotMedianMs,
    double? RemoteTpotMedianMs,
    double? TpotExtraPerHopMs,
    double? LocalTtftMedianMs,
    double? RemoteTtftMedianMs);
