using Dnet.Contracts.Shards;
using Dnet.Generation.Sampling;
using Dnet.Inference.Model;
using Dnet.Models;
using Google.Protobuf;
using WireFrame = Dnet.Contracts.Shards.ActivationFrame;

namespace Dnet.Shard.Ring;

/// <summary>
/// Runs one batch on this shard's slice: every step's input, ONE engine forward over all their rows, then per step the
/// hidden state for the next hop or (last shard) the sampled token. A step the engine refuses (cache full or missing,
/// bad input, request freed meanwhile) fails alone and the others run again; nothing else stops the batch. Times are
/// recorded for the trace (<see cref="BatchTrace"/>); no frame is opened here.
/// </summary>
internal static class BatchForward
{
    public static BatchRun Run(ModelSlice slice, SequenceSamplers samplers, IReadOnlyList<PendingStep> batch)
    {
        var started = DateTime.UtcNow;
        var outcomes = batch.Select(step => new StepOutcome(step)).ToList();
        foreach (var outcome in outcomes)
        {
            Load(outcome);
        }

        var live = outcomes.Where(o => o.Error is null).ToList();
        var executeStart = DateTime.UtcNow;
        var outputs = Execute(slice, live);
        var execute = new TimeRange(executeStart, DateTime.UtcNow);
        for (int i = 0; i < live.Count; i++)
        {
            live[i].Executed = true;
            Finish(slice, samplers, live[i], outputs[i]);
        }

        return new BatchRun(new TimeRange(started, DateTime.UtcNow), execute, outcomes);
    }

    private static void Load(StepOutcome outcome)
    {
        var start = DateTime.UtcNow;
        try
        {
            outcome.Input = FrameRows.Input(outcome.Step);
        }
        catch (ArgumentException exception)
        {
            outcome.Fail(exception.Message);
        }

        outcome.Load = new TimeRange(start, DateTime.UtcNow);
    }

    /// <summary>The forward over <paramref name="live"/>, which loses every step that fails.</summary>
    private static IReadOnlyList<SliceOutput> Execute(ModelSlice slice, List<StepOutcome> live)
    {
        while (live.Count > 0)
        {
            try
            {
                return slice.Forward([.. live.Select(o => new SequenceStep(o.Step.SequenceId, o.Input!, o.Step.StartPosition))]);
            }
            catch (StepRejectedException rejected)
            {
                // The engine refused this step before computing anything: only its request fails, the rest runs again.
                live[rejected.StepIndex].Fail(rejected.InnerException?.Message ?? rejected.Message);
                live.RemoveAt(rejected.StepIndex);
            }
            catch (Exception exception)
            {
                // Not a step's fault (an engine error): no step of this batch has a result, each request is told why.
                foreach (var outcome in live)
                {
                    outcome.Fail(exception.Message);
                }

                live.Clear();
            }
        }

        return [];
    }

    private static void Finish(ModelSlice slice, SequenceSamplers samplers, StepOutcome outcome, SliceOutput output)
    {
        try
        {
            Complete(slice, samplers, outcome, output);
        }
        finally
        {
            // Sampled, skipped or failed: the logits array goes back for a later step.
            output.ReturnLogits();
        }
    }

    private static void Complete(ModelSlice slice, SequenceSamplers samplers, StepOutcome outcome, SliceOutput output)
    {
        if (output.Logits is not null && outcome.Step.Partial)
        {
            // A prompt chunk with more to come: the last shard samples only after the prompt's last chunk.
            return;
        }

        var start = DateTime.UtcNow;
        try
        {
            if (output.Logits is { } last)
            {
                outcome.Token = Sample(samplers, outcome.Step.Inbound.Frame, last);
            }
            else
            {
                outcome.Next = ToWire(outcome.Step, output.Activations!, slice.ComputeDtype);
            }
        }
        catch (Exception exception)
        {
            // Bad sampling parameters, say: this request fails, the others of the batch go on.
            outcome.Fail(exception.Message);
        }

        outcome.Finish = new TimeRange(start, DateTime.UtcNow);
    }

    private static TokenFrame Sample(SequenceSamplers samplers, WireFrame frame, float[] logits)
    {
        var sampler = samplers.GetOrCreate(frame.RequestId, () => new Sampler(frame.Sampling.ToParameters(), logits.Length, frame.History));
        var token = sampler.Sample(logits);
        var reply = new TokenFrame
        {
            RequestId = frame.RequestId,
            Step = frame.Step,
            TokenId = token.Id,
            Logprob = token.Logprob,
            Traceparent = frame.Traceparent,
        };
        reply.TopLogprobs.Add(token.TopLogprobs.Select(t => new Dnet.Contracts.Shards.TokenLogprob { TokenId = t.Id, Logprob = t.Logprob }));
        return reply;
    }

    private static WireFrame ToWire(PendingStep step, Inference.Model.ActivationFrame hidden, ComputeDtype dtype)
    {
        var frame = step.Inbound.Frame;
        var next = new WireFrame
        {
            RequestId = frame.RequestId,
            Step = frame.Step,
            StartPosition = step.StartPosition,
            // Wraps the bytes the engine already wrote: no second copy.
            Hidden = UnsafeByteOperations.UnsafeWrap(hidden.Data),
            Dtype = dtype == ComputeDtype.Float32 ? ActivationDtype.F32 : ActivationDtype.Bf16,
            Sampling = frame.Sampling,
            Traceparent = frame.Traceparent,
            Tracestate = frame.Tracestate,
            PartialPrompt = step.Partial,
        };
        next.Shape.Add([hidden.Tokens, hidden.HiddenSize]);
        if (!step.Partial)
        {
            // Only the sampling step needs the penalties' history: a prompt's last chunk carries it.
            next.History.Add(frame.History);
        }

        return next;
    }
}
