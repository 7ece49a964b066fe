using Dnet.Contracts.Shards;
using Dnet.Contracts.Tracing;
using Dnet.ServiceDefaults.Tracing;

namespace Dnet.Shard.Ring;

/// <summary>
/// The shard's compute loop: drains every queued frame into the <see cref="StepScheduler"/>, runs the batch it picks as
/// one forward (<see cref="BatchForward"/>), records each request's frames (<see cref="BatchTrace"/>), then sends each
/// request's hidden state to the next hop or, on the last shard, its sampled token to the gateway. A failing request
/// is reported to the gateway, its pending steps dropped and its state freed; the other requests go on.
/// A shard that is the whole ring (first and last) briefly gathers the sequences whose tokens it just sent before it
/// starts the next batch (<see cref="BatchGathering"/>): otherwise concurrent requests split into groups that take turns
/// and every batch carries only part of them.
/// </summary>
internal sealed class FrameWorker(FrameQueue queue, SliceHost host, ShardIdentity identity, IConfiguration configuration, ILogger<FrameWorker> logger)
    : BackgroundService
{
    /// <summary>Default of <c>Dnet:Shard:PrefillChunkTokens</c>.</summary>
    public const int DefaultPrefillChunkTokens = 128;

    private readonly StepScheduler _scheduler = new(configuration.GetValue("Dnet:Shard:PrefillChunkTokens", DefaultPrefillChunkTokens));
    private readonly BatchGathering _gathering = new(configuration.GetValue("Dnet:Shard:GatherWait", BatchGathering.DefaultMaxWait));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (_scheduler.IsEmpty && !await queue.WaitToReadAsync(stoppingToken))
            {
                return;
            }

            Drain();
            while (_gathering.Missing(_scheduler) && await _gathering.WaitAsync(queue, stoppingToken))
            {
                Drain();
            }

            var batch = _scheduler.NextBatch();
            if (batch.Count == 0)
            {
                continue;
            }

            await host.ComputeGate.WaitAsync(stoppingToken);
            try
            {
                Process(batch);
                if (_scheduler.IsEmpty && queue.IsEmpty)
                {
                    // The work went to the next hop (or the gateway): do not keep a core spinning while it runs there.
                    host.Current?.Slice.Rest();
                }
            }
            finally
            {
                host.ComputeGate.Release();
            }
        }
    }

    private void Drain()
    {
        while (queue.TryRead(out var inbound))
        {
            host.Touch(inbound.Frame.RequestId);
            _scheduler.Add(inbound);
        }

        while (queue.TryTakeFreed(out var requestId))
        {
            _scheduler.Drop(requestId);
            _gathering.Forget(requestId);
        }
    }

    private void Process(IReadOnlyList<PendingStep> batch)
    {
        if (host.Current is not { } loaded)
        {
            foreach (var step in batch)
            {
                logger.LogWarning("Dropping request {RequestId}: {Node} has no model slice loaded", step.SequenceId, identity.Node);
                _scheduler.Drop(step.SequenceId);
            }

            return;
        }

        var run = BatchForward.Run(loaded.Slice, loaded.Samplers, batch);
        BatchTrace.Record(run, loaded.Slice, loaded.Profile);
        foreach (var outcome in run.Outcomes)
        {
            Send(loaded, outcome);
        }

        // Only a one-shard ring gets its tokens back at once; on a longer ring the groups in flight keep every hop busy.
        _gathering.Expect(
            loaded.Slice.IsFirst && loaded.Slice.IsLast
                ? run.Outcomes.Where(o => o.Error is null && o.Token is not null).Select(o => o.Step.SequenceId)
                : [],
            run.Execute.End - run.Execute.Start);
    }

    private void Send(LoadedSlice loaded, StepOutcome outcome)
    {
        var step = outcome.Step;
        var frame = step.Inbound.Frame;
        if (outcome.Error is { } error)
        {
            // One bad request (cache full, malformed frame, bad sampling parameters) must not stop the worker that
            // serves every other request: report it to the gateway and forget it here.
            logger.LogWarning("{Node} failed request {RequestId} at step {Step}: {Error}", identity.Node, frame.RequestId, frame.Step, error);
            loaded.TokenSink.Send(new TokenFrame
            {
                RequestId = frame.RequestId,
                Step = frame.Step,
                Error = $"{identity.Node} failed at step {frame.Step}: {error}",
                ErrorNode = identity.Node,
            });
            _scheduler.Drop(frame.RequestId);
            host.Free(frame.RequestId);
            return;
        }

        // Sending is network time, not compute: a sibling of the forward frame under the request's context.
        if (outcome.Token is { } token)
        {
            using var send = DnetFrames.Start(FrameNames.NetworkTokenSend, step.Inbound.Parent);
            send?.SetTag(SpanAttributes.RequestId, frame.RequestId);
            send?.SetTag(SpanAttributes.Step, frame.Step);
            send?.SetTag(SpanAttributes.Bytes, token.CalculateSize());
            loaded.TokenSink.Send(token);
        }
        else if (outcome.Next is { } next)
        {
            using var tx = DnetFrames.Start(FrameNames.NetworkTx, step.Inbound.Parent);
            tx?.SetTag(SpanAttributes.RequestId, frame.RequestId);
            tx?.SetTag(SpanAttributes.Step, frame.Step);
            // The whole message, as the next hop's network.rx counts it.
            tx?.SetTag(SpanAttributes.Bytes, next.CalculateSize());
            loaded.NextHop!.Send(next);
        }
    }
}
