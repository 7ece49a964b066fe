using Dnet.Benchmarks.Shared;

namespace Dnet.Benchmarks.Serving;

/// <summary>
/// N shards against 1 shard at 1 in flight, measured in interleaved pairs. The sequential levels measure the two
/// clusters a minute or more apart, and on a shared host that minute can change the neighbours' memory traffic: nine
/// warm sequential runs gave 2 / 1 shard ratios from 0.73 to 0.96 while traces of both showed the same hop cost. Here
/// both clusters run at once (the idle one only answers its health probes) and every round sends the same request
/// (same seed, same text) to each, one right after the other, the order alternating from round to round, so the two
/// sides of a pair share the host's conditions and the pair's ratio is what the extra hop costs.
/// </summary>
static class PairedHop
{
    public static async Task<PairedHopResult> MeasureAsync(int shards, string model, string? apiKey, ChatLoad load, int rounds)
    {
        await using var single = await BenchCluster.StartAsync(1, model, apiKey, CancellationToken.None);
        await using var several = await BenchCluster.StartAsync(shards, model, apiKey, CancellationToken.None);
        load = load with { Model = await single.ServedModelAsync(CancellationToken.None) };
        await ServeBenchmark.WarmUpAsync(single, load, 1, "shard(s), paired", 1);
        await ServeBenchmark.WarmUpAsync(several, load, 1, "shard(s), paired", shards);

        double? stolenBefore = ProcessCpu.StolenSeconds();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var sent = new List<(int Round, bool SingleFirst, RequestTiming One, RequestTiming Many)>();
        for (int round = 0; round < rounds; round++)
        {
            int seed = round + 1;
            bool singleFirst = round % 2 == 0;
            var first = await ChatStream.SendAsync(singleFirst ? single.Gateway : several.Gateway, load, seed, CancellationToken.None);
            var second = await ChatStream.SendAsync(singleFirst ? several.Gateway : single.Gateway, load, seed, CancellationToken.None);
            var (one, many) = singleFirst ? (first, second) : (second, first);
            if (one.TpotMs is not { } oneTpot || many.TpotMs is not { } manyTpot)
            {
                continue; // a one-token answer has no decode time
            }

            sent.Add((round + 1, singleFirst, one, many));
            Console.Error.WriteLine(
                $"serve: paired round {round + 1}/{rounds}: TPOT 1 shard {oneTpot:F2} ms, {shards} shards {manyTpot:F2} ms, ratio {oneTpot / manyTpot:F3}");
        }

        double? stolen = ProcessCpu.StolenCoresSince(stolenBefore, watch.Elapsed.TotalSeconds);

        // Where each request's time went, from each cluster's own traces: its shards' compute per output token.
        using var singleAnalytics = single.CreateClient("analytics");
        using var severalAnalytics = several.CreateClient("analytics");
        var pairs = new List<PairedRound>();
        foreach (var (round, singleFirst, one, many) in sent)
        {
            double oneTpot = one.TpotMs!.Value, manyTpot = many.TpotMs!.Value;
            pairs.Add(new PairedRound(round, singleFirst ? "1 first" : $"{shards} first",
                Math.Round(oneTpot, 3), Math.Round(manyTpot, 3), Math.Round(oneTpot / manyTpot, 3), Math.Round((manyTpot - oneTpot) / (shards - 1), 3),
                await TracedCompute.PerTokenMsAsync(singleAnalytics, one), await TracedCompute.PerTokenMsAsync(severalAnalytics, many)));
        }
        return new PairedHopResult(
            shards,
            pairs.Count,
            Distribution.Of(pairs.Select(p => p.DecodeRatio)),
            Distribution.Of(pairs.Select(p => p.OneShardTpotMs)),
            Distribution.Of(pairs.Select(p => p.ShardsTpotMs)),
            Distribution.Of(pairs.Select(p => p.PerHopMs)),
            Distribution.Of(pairs.Where(p => p.OneShardComputeMsPerToken is not null && p.ShardsComputeMsPerToken is not null)
                .Select(p => p.ShardsComputeMsPerToken!.Value - p.OneShardComputeMsPerToken!.Value)),
            stolen,
            pairs);
    }
}

/// <summary>
/// The paired rounds of one shard count. <see cref="DecodeRatio"/> is N-shard decode tokens/s over 1-shard decode
/// tokens/s of each pair (1-shard TPOT / N-shard TPOT); its median is the target's number.
/// <see cref="ExtraComputeMsPerToken"/>: per pair, the N-shard request's compute per output token minus the 1-shard
/// one's, from the traces; set beside the TPOT difference it says whether a ring's extra time is compute or hand-offs.
/// </summary>
sealed record PairedHopResult(
    int Shards,
    int Pairs,
    Distribution DecodeRatio,
    Distribution OneShardTpotMs,
    Distribution ShardsTpotMs,
    Distribution PerHopMs,
    Distribution ExtraComputeMsPerToken,
    double? StolenCores,
    IReadOnlyList<PairedRound> Rounds);

/// <summary>
/// One request to each cluster, same seed; <see cref="Order"/> says which went first. The compute columns are the
/// request's compute self time summed over its shards, per output token, from the cluster's analytics (null when
/// its trace was not complete in time).
/// </summary>
sealed record PairedRound(
    int Round,
    string Order,
    double OneShardTpotMs,
    double ShardsTpotMs,
    double DecodeRatio,
    double PerHopMs,
    double? OneShardComputeMsPerToken,
    double? ShardsComputeMsPerToken);
