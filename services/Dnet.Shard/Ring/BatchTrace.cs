using System.Diagnostics;
using Dnet.Contracts.Tracing;
using Dnet.Inference.Model;
using Dnet.Models;
using Dnet.ServiceDefaults.Tracing;

namespace Dnet.Shard.Ring;

/// <summary>
/// The frames of a batched forward, recorded after it ran with the times it measured. Every request of the batch gets
/// its own frames in its own trace (parent: the context its frame arrived with): <c>compute.queue.wait</c> (once per
/// inbound frame), and <c>compute.forward</c> with the batch's start and end, containing its own
/// <c>compute.activations.load</c>, the shared <c>compute.execute</c> and its own <c>compute.sampling</c> or
/// <c>compute.activations.store</c>. So a request's trace shows the real breakdown of the forward it was part of, and
/// the batch's compute time appears in each request's trace (it is shared, not split; see the Dnet.Perf README).
/// The next hop continues each trace under that request's forward frame.
/// </summary>
internal static class BatchTrace
{
    public static void Record(BatchRun run, ModelSlice slice, ModelProfile profile)
    {
        int sequences = run.Sequences, rows = run.Rows;
        string layers = $"{slice.Layers.Start}-{slice.Layers.End}";
        foreach (var outcome in run.Outcomes)
        {
            var step = outcome.Step;
            var frame = step.Inbound.Frame;
            if (step.StartsFrame)
            {
                using var wait = Interval(FrameNames.ComputeQueueWait, step.Inbound.Parent, new TimeRange(step.Inbound.ReceivedAt.UtcDateTime, run.Forward.Start));
                wait?.SetTag(SpanAttributes.RequestId, frame.RequestId);
                wait?.SetTag(SpanAttributes.Step, frame.Step);
            }

            using var forward = Interval(FrameNames.ComputeForward, step.Inbound.Parent, run.Forward);
            int tokens = outcome.Input?.Tokens ?? step.Rows;
            if (forward is not null)
            {
                forward.SetTag(SpanAttributes.RequestId, frame.RequestId);
                forward.SetTag(SpanAttributes.Step, frame.Step);
                forward.SetTag(SpanAttributes.Layers, layers);
                forward.SetTag(SpanAttributes.Tokens, tokens);
                forward.SetTag(SpanAttributes.Dtype, slice.ComputeDtype.ToString());
                // The engine computes the last slice's lm_head for every step, prompt chunks included.
                forward.SetTag(SpanAttributes.Flops, outcome.Executed ? profile.StepFlops(slice.Layers.Count, tokens, step.StartPosition, slice.IsLast) : 0L);
                forward.SetTag(SpanAttributes.BatchSize, sequences);
                forward.SetTag(SpanAttributes.BatchTokens, rows);
                forward.SetTag(SpanAttributes.MatMulPath, slice.OnMatrixTiles ? "tiles" : "kernel");
                if (outcome.Error is { } error)
                {
                    forward.SetStatus(ActivityStatusCode.Error, error);
                }
            }

            var parent = forward?.Context ?? step.Inbound.Parent;
            using (var load = Interval(FrameNames.ComputeActivationsLoad, parent, outcome.Load))
            {
                load?.SetTag(SpanAttributes.RequestId, frame.RequestId);
                load?.SetTag(SpanAttributes.Bytes, outcome.Input?.Activations?.Data.Length ?? 0);
            }

            if (outcome.Executed)
            {
                using var execute = Interval(FrameNames.ComputeExecute, parent, run.Execute);
                execute?.SetTag(SpanAttributes.RequestId, frame.RequestId);
                execute?.SetTag(SpanAttributes.Layers, layers);
                execute?.SetTag(SpanAttributes.Tokens, tokens);
                execute?.SetTag(SpanAttributes.BatchSize, sequences);
                execute?.SetTag(SpanAttributes.BatchTokens, rows);
            }

            if (outcome.Finish is { } finish)
            {
                using var post = Interval(slice.IsLast ? FrameNames.ComputeSampling : FrameNames.ComputeActivationsStore, parent, finish);
                post?.SetTag(SpanAttributes.RequestId, frame.RequestId);
                if (outcome.Next is { } stored)
                {
                    post?.SetTag(SpanAttributes.Bytes, stored.Hidden.Length);
                }
            }

            if (forward?.Id is { } id)
            {
                outcome.Next?.Traceparent = id;
                outcome.Token?.Traceparent = id;
            }
        }
    }

    /// <summary>A frame over an interval already measured; null when tracing does not record it.</summary>
    private static Activity? Interval(string name, ActivityContext parent, TimeRange range)
    {
        var frame = DnetFrames.Start(name, parent, range.Start);
        frame?.SetEndTime(range.End < range.Start ? range.Start : range.End);
        return frame;
    }
}
