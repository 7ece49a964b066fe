using System.Diagnostics;
using Dnet.Contracts.Shards;
using Dnet.Inference.Model;
using Dnet.Models;
using WireFrame = Dnet.Contracts.Shards.ActivationFrame;

namespace Dnet.Shard.Tests;

/// <summary>A request as the gateway sends it: a prompt, how many tokens to generate, seeded sampling.</summary>
internal sealed record TestRequest(string Id, int[] Prompt, int MaxTokens, ulong Seed, ActivityContext Parent = default)
{
    public SamplingParams Sampling => new() { Temperature = 0.9f, TopP = 0.95f, Seed = Seed };

    public WireFrame PromptFrame() => new()
    {
        RequestId = Id,
        Step = 0,
        StartPosition = 0,
        TokenIds = { Prompt },
        Sampling = Sampling,
        Traceparent = Parent == default ? "" : Traceparent(Parent),
    };

    public WireFrame DecodeFrame(int generated, int token) => new()
    {
        RequestId = Id,
        Step = generated,
        StartPosition = Prompt.Length + generated - 1,
        TokenIds = { token },
        Sampling = Sampling,
        Traceparent = Parent == default ? "" : Traceparent(Parent),
    };

    private static string Traceparent(ActivityContext context) => $"00-{context.TraceId}-{context.SpanId}-01";
}

/// <summary>
/// Shards on real slices of dnet-tiny chained as the ring chains them: hidden states go to the next shard as wire
/// frames (with the trace context each shard puts in them), sampled tokens come back to a gateway loop that sends
/// the next decode step. Shards take turns, one batch each, so requests in flight meet in batches.
/// </summary>
internal sealed class TestRing : IDisposable
{
    private readonly Dictionary<string, TestRequest> _requests = [];

    public TestRing(ComputeDtype dtype, int prefillChunkTokens, params int[] splits)
        : this(dtype, [.. Enumerable.Repeat(prefillChunkTokens, splits.Length + 1)], splits, maxContext: null)
    {
    }

    /// <param name="dtype">Compute dtype of every slice.</param>
    /// <param name="prefillChunkTokens">Per shard.</param>
    /// <param name="splits">Layer boundaries between shards.</param>
    /// <param name="maxContext">KV cache capacity per request; the model's when null.</param>
    /// <param name="tiles">bf16 on the AMX tiles (<see cref="ModelSliceOptions.MatrixTiles"/>); null: the engine's default.</param>
    public TestRing(ComputeDtype dtype, int[] prefillChunkTokens, int[] splits, int? maxContext, bool? tiles = null)
    {
        int start = 0;
        foreach (var (end, chunk) in splits.Append(TinyModel.Layers).Zip(prefillChunkTokens))
        {
            Shards.Add(new TestShard(TinyModel.Load(new LayerRange(start, end), dtype, maxContext, tiles), chunk));
            start = end;
        }
    }

    public List<TestShard> Shards { get; } = [];

    public Dictionary<string, List<int>> Tokens { get; } = [];

    public Dictionary<string, string> Errors { get; } = [];

    /// <summary>Token frames the last shard sent per request (one per step, never one per prompt chunk).</summary>
    public Dictionary<string, List<TokenFrame>> TokenFrames { get; } = [];

    public void Send(TestRequest request)
    {
        _requests[request.Id] = request;
        Tokens[request.Id] = [];
        TokenFrames[request.Id] = [];
        Shards[0].Receive(request.PromptFrame(), request.Parent);
    }

    /// <summary>Runs until every request has finished or failed.</summary>
    public void RunToCompletion()
    {
        for (int guard = 0; Shards.Any(s => !s.Scheduler.IsEmpty); guard++)
        {
            Assert.IsLessThan(100_000, guard, "the ring does not drain");
            for (int i = 0; i < Shards.Count; i++)
            {
                if (Shards[i].RunOnce() is not { } run)
                {
                    continue;
                }

                foreach (var outcome in run.Outcomes)
                {
                    Route(i, outcome);
                }
            }
        }
    }

    /// <summary>Each request alone, one after the other, on this ring.</summary>
    public void RunAlone(IEnumerable<TestRequest> requests)
    {
        foreach (var request in requests)
        {
            Send(request);
            RunToCompletion();
        }
    }

    private void Route(int shard, Ring.StepOutcome outcome)
    {
        var id = outcome.Step.SequenceId;
        if (outcome.Error is { } error)
        {
            Errors[id] = error;
            return;
        }

        if (outcome.Next is { } next)
        {
            ActivityContext.TryParse(next.Traceparent, next.Tracestate, isRemote: true, out var parent);
            Shards[shard + 1].Receive(next, parent);
        }
        else if (outcome.Token is { } token)
        {
            TokenFrames[id].Add(token);
            var tokens = Tokens[id];
            tokens.Add(token.TokenId);
            var request = _requests[id];
            if (tokens.Count < request.MaxTokens)
            {
                Shards[0].Receive(request.DecodeFrame(tokens.Count, token.TokenId), request.Parent);
            }
        }
    }

    public void Dispose()
    {
        foreach (var shard in Shards)
        {
            shard.Dispose();
        }
    }
}
