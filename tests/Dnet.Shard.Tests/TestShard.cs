using System.Diagnostics;
using Dnet.Inference.Model;
using Dnet.Models;
using Dnet.Shard.Ring;
using WireFrame = Dnet.Contracts.Shards.ActivationFrame;

namespace Dnet.Shard.Tests;

/// <summary>
/// One shard's compute as the <see cref="FrameWorker"/> runs it (scheduler, batched forward, frames), on a real slice,
/// without the gRPC streams around it: each <see cref="RunOnce"/> is one iteration of the worker's loop.
/// </summary>
internal sealed class TestShard(ModelSlice slice, int prefillChunkTokens) : IDisposable
{
    public ModelSlice Slice { get; } = slice;

    public StepScheduler Scheduler { get; } = new(prefillChunkTokens);

    public SequenceSamplers Samplers { get; } = new();

    public List<BatchRun> Runs { get; } = [];

    public void Receive(WireFrame frame, ActivityContext parent = default) =>
        Scheduler.Add(new InboundFrame(frame, DateTimeOffset.UtcNow, parent));

    /// <summary>Runs the scheduler's next batch; null when nothing is pending.</summary>
    public BatchRun? RunOnce()
    {
        var batch = Scheduler.NextBatch();
        if (batch.Count == 0)
        {
            return null;
        }

        var run = BatchForward.Run(Slice, Samplers, batch);
        BatchTrace.Record(run, Slice, ModelProfile.From(Slice.Config, Slice.ComputeDtype));
        foreach (var failed in run.Outcomes.Where(o => o.Error is not null))
        {
            Scheduler.Drop(failed.Step.SequenceId);
            Slice.Free(failed.Step.SequenceId);
        }

        Runs.Add(run);
        return run;
    }

    public void Dispose() => Slice.Dispose();
}
