using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Dnet.Contracts.Shards;
using Dnet.Contracts.Tracing;
using Dnet.Gateway.OpenAi;
using Dnet.Gateway.Ring;
using Dnet.Generation.Streaming;
using Dnet.ServiceDefaults.Tracing;
using Grpc.Core;

namespace Dnet.Gateway.Completions;

/// <summary>
/// Drives one request around the ring: the prompt goes to the first shard, each token comes back from the last shard,
/// is detokenized and checked against the stop conditions, and (unless finished) goes round again as the next step.
/// The request's KV cache is freed on every shard however the run ends.
/// </summary>
internal sealed class CompletionRun(
    DeployedModel model,
    RequestRouter router,
    GenerationOptions options,
    string requestId,
    int[] promptIds,
    int maxTokens,
    TimeSpan stallTimeout,
    TimeSpan maxRingWait,
    ILogger logger)
{
    public async IAsyncEnumerable<CompletionEvent> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var tokens = router.Register(requestId);
        Activity? prefill = null;
        try
        {
            var sampling = Sampling();
            var detokenizer = new IncrementalDetokenizer(model.Tokenizer, skipSpecialTokens: true);
            var stops = new StopSequenceMatcher(options.Stop);
            var generated = 0;
            string? finish = null;

            prefill = DnetFrames.Start(FrameNames.RequestPrefill);
            prefill?.SetTag(SpanAttributes.RequestId, requestId);
            prefill?.SetTag(SpanAttributes.Tokens, promptIds.Length);
            Send(new ActivationFrame
            {
                RequestId = requestId,
                Step = 0,
                StartPosition = 0,
                TokenIds = { promptIds },
                Sampling = sampling,
                History = { sampling.RepetitionPenalty != 1f ? promptIds : [] }
            });

            while (finish is null)
            {
                var frame = await NextTokenAsync(tokens, generated == 0 ? PrefillTimeout() : stallTimeout, generated, cancellationToken);
                prefill?.Dispose();
                prefill = null;
                generated++;

                var isEndOfTurn = model.Tokenizer.EndOfTurnTokenIds.Contains(frame.TokenId);
                var text = isEndOfTurn ? "" : Detokenize(detokenizer, frame.TokenId);
                var check = stops.Push(text);
                if (isEndOfTurn || check.Stopped)
                {
                    finish = "stop";
                }
                else if (generated >= maxTokens)
                {
                    finish = "length";
                }

                var emitted = finish is null || check.Stopped ? check.Text : check.Text + stops.Push(detokenizer.Flush()).Text + stops.Flush();
                yield return new TextEmitted(emitted, options.Logprobs is null ? [] : [Logprob(frame)]);

                if (finish is null)
                {
                    Send(new ActivationFrame
                    {
                        RequestId = requestId,
                        Step = generated,
                        StartPosition = promptIds.Length + generated - 1,
                        TokenIds = { frame.TokenId },
                        Sampling = sampling,
                    });
                }
            }

            yield return new CompletionFinished(finish, new Usage(promptIds.Length, generated));
        }
        finally
        {
            // Ended here too, so a request that fails before its first token still shows its prefill frame.
            prefill?.Dispose();
            router.Unregister(requestId);
            FreeEverywhere();
        }
    }

    private SamplingParams Sampling()
    {
        var sampling = new SamplingParams
        {
            Temperature = options.Temperature,
            TopP = options.TopP,
            TopK = options.TopK,
            MinP = options.MinP,
            RepetitionPenalty = options.RepetitionPenalty,
            FrequencyPenalty = options.FrequencyPenalty,
            PresencePenalty = options.PresencePenalty,
            // The seed is fixed here, not on the last shard, so a request samples the same way on any ring.
            Seed = (ulong)(options.Seed ?? Random.Shared.NextInt64()),
            Logprobs = options.Logprobs is not null,
            TopLogprobs = options.Logprobs ?? 0,
        };
        foreach (var (id, bias) in options.LogitBias)
        {
            sampling.LogitBias[id] = bias;
        }

        return sampling;
    }

    private void Send(ActivationFrame frame)
    {
        using var tx = DnetFrames.Start(FrameNames.NetworkTx);
        tx?.SetTag(SpanAttributes.RequestId, requestId);
        tx?.SetTag(SpanAttributes.Step, frame.Step);
        frame.Traceparent = Activity.Current?.Id ?? "";
        frame.Tracestate = Activity.Current?.TraceStateString ?? "";
        tx?.SetTag(SpanAttributes.Bytes, frame.CalculateSize());
        model.FirstHop.Send(frame);
    }

    /// <summary>
    /// Waits for this request's next token. Silence alone is not failure: while the ring keeps returning tokens for
    /// other requests it is alive and this step is queued behind their work (a burst of prompts), so the wait goes on,
    /// up to <c>maxRingWait</c>. Only a ring silent for everyone for <paramref name="timeout"/> is down or stalled.
    /// </summary>
    private async Task<TokenFrame> NextTokenAsync(
        System.Threading.Channels.ChannelReader<ArrivedToken> tokens, TimeSpan timeout, int step, CancellationToken cancellationToken)
    {
        using var wait = DnetFrames.Start(FrameNames.RequestTokenWait);
        wait?.SetTag(SpanAttributes.RequestId, requestId);
        wait?.SetTag(SpanAttributes.Step, step);
        var waited = Stopwatch.StartNew();
        var silence = timeout;
        while (true)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(silence);
            try
            {
                var arrived = await tokens.ReadAsync(deadline.Token);
                RecordReceive(arrived, wait);
                var frame = arrived.Frame;
                return string.IsNullOrEmpty(frame.Error) ? frame : throw new RingFailureException(frame.Error);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                var ring = string.Join(" -> ", model.Shards.Select(s => s.Node));
                if (router.SinceLastToken >= timeout)
                {
                    throw new RingFailureException($"no token from the ring ({ring}) within {timeout.TotalSeconds:F0} s: a shard is down or stalled");
                }

                if (waited.Elapsed >= maxRingWait)
                {
                    throw new RingFailureException(
                        $"no token for this request within {waited.Elapsed.TotalSeconds:F0} s although the ring ({ring}) serves others: it is overloaded");
                }

                // Fail when the ring has been silent for everyone for the whole timeout, not a timeout after this check.
                silence = timeout - router.SinceLastToken;
            }
        }
    }

    /// <summary>
    /// The token's arrival at the sink until this request picked it up: the last hop's receive side. A child of the
    /// wait it ends, so the wait's self time is idle time only; its bytes are the message the last shard sent.
    /// </summary>
    private void RecordReceive(ArrivedToken arrived, Activity? wait)
    {
        if (wait is null || arrived.Bytes == 0)
        {
            return;
        }

        using var rx = DnetFrames.Start(FrameNames.NetworkRx, wait.Context);
        rx?.SetStartTime(arrived.ReceivedAt < wait.StartTimeUtc ? wait.StartTimeUtc : arrived.ReceivedAt);
        rx?.SetTag(SpanAttributes.RequestId, requestId);
        rx?.SetTag(SpanAttributes.Step, arrived.Frame.Step);
        rx?.SetTag(SpanAttributes.Bytes, arrived.Bytes);
    }

    private TimeSpan PrefillTimeout() => stallTimeout + TimeSpan.FromMilliseconds(5.0 * promptIds.Length);

    private string Detokenize(IncrementalDetokenizer detokenizer, int tokenId)
    {
        using var span = DnetFrames.Start(FrameNames.RequestDetokenize);
        span?.SetTag(SpanAttributes.RequestId, requestId);
        return detokenizer.Push(tokenId);
    }

    private TokenLogprobEntry Logprob(TokenFrame frame) => new(
        TokenText(frame.TokenId), frame.Logprob, TokenBytes(frame.TokenId),
        frame.TopLogprobs.Select(t => new TopLogprobEntry(TokenText(t.TokenId), t.Logprob, TokenBytes(t.TokenId))).ToList());

    private string TokenText(int id) => Encoding.UTF8.GetString(model.Tokenizer.TokenBytes(id));

    private int[] TokenBytes(int id) => [.. model.Tokenizer.TokenBytes(id).ToArray().Select(b => (int)b)];

    private void FreeEverywhere()
    {
        using var end = DnetFrames.Start(FrameNames.RequestEnd);
        end?.SetTag(SpanAttributes.RequestId, requestId);
        foreach (var shard in model.Shards)
        {
            // Fire and forget: the response must not wait for cleanup, and the shards' idle sweep is the backstop.
            _ = FreeAsync(shard);
        }
    }

    private async Task FreeAsync(RingShard shard)
    {
        try
        {
            await shard.Client.FreeSequenceAsync(new FreeSequenceRequest { RequestId = requestId }, deadline: DateTime.UtcNow.AddSeconds(5));
        }
        catch (RpcException exception)
        {
            logger.LogDebug("Freeing {RequestId} on {Node} failed: {Error}", requestId, shard.Node, exception.Status.Detail);
        }
        catch (ObjectDisposedException)
        {
            // The model was unloaded meanwhile: unloading freed every sequence already.
        }
    }
}
