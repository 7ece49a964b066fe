using System.Diagnostics;
using Dnet.Contracts.Shards;
using Dnet.Contracts.Tracing;
using Dnet.Generation.Sampling;
using Dnet.Inference.Model;
using Dnet.Models;
using Dnet.ServiceDefaults.Tracing;
using Google.Protobuf;
using WireFrame = Dnet.Contracts.Shards.ActivationFrame;

namespace Dnet.Shard.Ring;

/// <summary>
/// Runs queued frames through this shard's slice one at a time: the forward pass, then either the hidden state to
/// the next hop or, on the last shard, the sampled token to the gateway. A failing request is reported to the
/// gateway and its state freed; the frames of other requests go on.
/// </summary>
internal sealed class FrameWorker(FrameQueue queue, SliceHost host, ShardIdentity identity, ILogger<FrameWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var inbound in queue.ReadAllAsync(stoppingToken))
        {
            await host.ComputeGate.WaitAsync(stoppingToken);
            try
            {
                Process(inbound);
            }
            finally
            {
                host.ComputeGate.Release();
            }
        }
    }

    private void Process(InboundFrame inbound)
    {
        var frame = inbound.Frame;
        RecordQueueWait(inbound);
        if (host.Current is not { } loaded)
        {
            ReportError(null, frame, $"{identity.Node} has no model slice loaded");
            return;
        }

        host.Touch(frame.RequestId);
        try
        {
            TokenFrame? token = null;
            WireFrame? next = null;
            using (var forward = DnetFrames.Start(FrameNames.ComputeForward, inbound.Parent))
            {
                var output = Forward(loaded, frame, forward);
                // The next hop continues the trace under this shard's forward frame.
                var traceparent = forward?.Id ?? frame.Traceparent;
                if (output.Logits is { } logits)
                {
                    token = Sample(loaded, frame, logits, traceparent);
                }
                else
                {
                    next = ToWire(frame, output.Activations!, traceparent);
                }
            }

            // Sending is network time, not compute: a sibling of the forward frame under the request's context.
            if (token is not null)
            {
                using var send = DnetFrames.Start(FrameNames.NetworkTokenSend, inbound.Parent);
                send?.SetTag(SpanAttributes.RequestId, frame.RequestId);
                send?.SetTag(SpanAttributes.Step, frame.Step);
                send?.SetTag(SpanAttributes.Bytes, token.CalculateSize());
                loaded.TokenSink.Send(token);
            }
            else
            {
                using var tx = DnetFrames.Start(FrameNames.NetworkTx, inbound.Parent);
                tx?.SetTag(SpanAttributes.RequestId, frame.RequestId);
                tx?.SetTag(SpanAttributes.Step, frame.Step);
                // The whole message, as the next hop's network.rx counts it.
                tx?.SetTag(SpanAttributes.Bytes, next!.CalculateSize());
                loaded.NextHop!.Send(next!);
            }
        }
        catch (Exception exception)
        {
            // One bad request (capacity exceeded, malformed frame, a libtorch error) must not stop the worker that
            // serves every other request: report it to the gateway and go on.
            logger.LogWarning(exception, "{Node} failed request {RequestId} at step {Step}", identity.Node, frame.RequestId, frame.Step);
            ReportError(loaded, frame, $"{identity.Node} failed at step {frame.Step}: {exception.Message}");
            host.Free(frame.RequestId);
        }
    }

    private static SliceOutput Forward(LoadedSlice loaded, WireFrame frame, Activity? span)
    {
        var slice = loaded.Slice;
        SliceInput input;
        using (var load = DnetFrames.Start(FrameNames.ComputeActivationsLoad))
        {
            load?.SetTag(SpanAttributes.RequestId, frame.RequestId);
            input = slice.IsFirst
                ? SliceInput.FromTokens([.. frame.TokenIds])
                : SliceInput.FromActivations(ToActivations(frame));
            load?.SetTag(SpanAttributes.Bytes, frame.Hidden.Length);
        }

        if (span is not null)
        {
            span.SetTag(SpanAttributes.RequestId, frame.RequestId);
            span.SetTag(SpanAttributes.Step, frame.Step);
            span.SetTag(SpanAttributes.Layers, loaded.Layers);
            span.SetTag(SpanAttributes.Tokens, input.Tokens);
            span.SetTag(SpanAttributes.Dtype, slice.ComputeDtype.ToString());
            span.SetTag(SpanAttributes.Flops, loaded.Profile.StepFlops(slice.Layers.Count, input.Tokens, frame.StartPosition, slice.IsLast));
        }

        using var execute = DnetFrames.Start(FrameNames.ComputeExecute);
        execute?.SetTag(SpanAttributes.RequestId, frame.RequestId);
        execute?.SetTag(SpanAttributes.Tokens, input.Tokens);
        return slice.Forward(frame.RequestId, input, frame.StartPosition);
    }

    private static TokenFrame Sample(LoadedSlice loaded, WireFrame frame, float[] logits, string traceparent)
    {
        SampledToken token;
        using (var sampling = DnetFrames.Start(FrameNames.ComputeSampling))
        {
            sampling?.SetTag(SpanAttributes.RequestId, frame.RequestId);
            var sampler = loaded.Samplers.GetOrCreate(frame.RequestId,
                () => new Sampler(frame.Sampling.ToParameters(), logits.Length, frame.History));
            token = sampler.Sample(logits);
        }

        var reply = new TokenFrame
        {
            RequestId = frame.RequestId,
            Step = frame.Step,
            TokenId = token.Id,
            Logprob = token.Logprob,
            Traceparent = traceparent,
        };
        reply.TopLogprobs.Add(token.TopLogprobs.Select(t => new Dnet.Contracts.Shards.TokenLogprob { TokenId = t.Id, Logprob = t.Logprob }));
        return reply;
    }

    private static WireFrame ToWire(WireFrame frame, Inference.Model.ActivationFrame hidden, string traceparent)
    {
        using var store = DnetFrames.Start(FrameNames.ComputeActivationsStore);
        store?.SetTag(SpanAttributes.RequestId, frame.RequestId);
        var next = new WireFrame
        {
            RequestId = frame.RequestId,
            Step = frame.Step,
            StartPosition = frame.StartPosition,
            // Wraps the bytes the engine already copied out of the tensor: no second copy.
            Hidden = UnsafeByteOperations.UnsafeWrap(hidden.Data),
            Dtype = hidden.Dtype == ComputeDtype.Float32 ? ActivationDtype.F32 : ActivationDtype.Bf16,
            Sampling = frame.Sampling,
            Traceparent = traceparent,
            Tracestate = frame.Tracestate,
        };
        next.Shape.Add([hidden.Tokens, hidden.HiddenSize]);
        next.History.Add(frame.History);
        return next;
    }

    private void RecordQueueWait(InboundFrame inbound)
    {
        var wait = DnetFrames.Start(FrameNames.ComputeQueueWait, inbound.Parent);
        wait?.SetStartTime(inbound.ReceivedAt.UtcDateTime);
        wait?.SetTag(SpanAttributes.RequestId, inbound.Frame.RequestId);
        wait?.SetTag(SpanAttributes.Step, inbound.Frame.Step);
        wait?.Dispose();
    }

    private void ReportError(LoadedSlice? loaded, WireFrame frame, string message)
    {
        if (loaded is null)
        {
            logger.LogWarning("Dropping request {RequestId}: {Message}", frame.RequestId, message);
            return;
        }

        loaded.TokenSink.Send(new TokenFrame { RequestId = frame.RequestId, Step = frame.Step, Error = message, ErrorNode = identity.Node });
    }

    private static Inference.Model.ActivationFrame ToActivations(WireFrame frame)
    {
        if (frame.Shape.Count != 2)
        {
            throw new ArgumentException($"hidden state must be [tokens, hidden], got [{string.Join(", ", frame.Shape)}]");
        }

        var dtype = frame.Dtype switch
        {
            ActivationDtype.F32 => ComputeDtype.Float32,
            ActivationDtype.Bf16 => ComputeDtype.BFloat16,
            _ => throw new ArgumentException($"unsupported activation dtype {frame.Dtype}"),
        };
        return new Inference.Model.ActivationFrame(frame.Hidden.Memory, (int)frame.Shape[0], (int)frame.Shape[1], dtype);
    }
}
