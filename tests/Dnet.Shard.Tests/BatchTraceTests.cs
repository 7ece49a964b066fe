using System.Collections.Concurrent;
using System.Diagnostics;
using Dnet.Contracts.Tracing;
using Dnet.Models;
using Microsoft.Extensions.Hosting;

namespace Dnet.Shard.Tests;

/// <summary>
/// The frames of batched forwards, caught by a real <see cref="ActivityListener"/>: each request of a batch has its own
/// frames in its own trace, its <c>compute.forward</c> spans the whole batch and says how big the batch was, and the
/// next hop continues each trace under that request's forward.
/// </summary>
[TestClass]
public sealed class BatchTraceTests
{
    private static readonly ActivityTraceFlags Recorded = ActivityTraceFlags.Recorded;

    [TestMethod]
    public void Each_request_of_a_batch_has_its_own_forward_over_the_whole_batch_and_its_own_children()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = Listen(spans);
        var requests = Enumerable.Range(0, 3)
            .Select(i => new TestRequest($"traced-{i}", TinyModel.Prompt(4 + i, seed: 30 + i), 2, (ulong)i,
                new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), Recorded)))
            .ToList();
        using var ring = new TestRing(ComputeDtype.Float32, prefillChunkTokens: 128, 2);
        foreach (var request in requests)
        {
            ring.Send(request);
        }

        ring.RunToCompletion();

        var first = ring.Shards[0].Runs[0];
        Assert.AreEqual(3, first.Sequences, "the three prompts fit one chunk, so one forward prefilled them");
        var ours = spans.Where(s => requests.Any(r => r.Parent.TraceId == s.TraceId)).ToList();
        foreach (var request in requests)
        {
            var trace = ours.Where(s => s.TraceId == request.Parent.TraceId).ToList();
            Assert.IsTrue(trace.All(s => (string?)s.GetTagItem(SpanAttributes.RequestId) == request.Id), "every frame in the trace is tagged with its request");
            var forwards = trace.Where(s => s.OperationName == FrameNames.ComputeForward).ToList();
            Assert.HasCount(2 * 2, forwards, "one per shard per step");

            // Shard 0 (first batch): parent is the context the gateway sent, times are the batch's.
            var prefill = forwards.Single(f => f.ParentSpanId == request.Parent.SpanId && (int)f.GetTagItem(SpanAttributes.Step)! == 0);
            Assert.AreEqual(first.Forward.Start, prefill.StartTimeUtc);
            Assert.AreEqual(first.Forward.End, prefill.StartTimeUtc + prefill.Duration);
            Assert.AreEqual(3, prefill.GetTagItem(SpanAttributes.BatchSize));
            Assert.AreEqual(requests.Sum(r => r.Prompt.Length), prefill.GetTagItem(SpanAttributes.BatchTokens));
            Assert.AreEqual(request.Prompt.Length, prefill.GetTagItem(SpanAttributes.Tokens));
            Assert.AreEqual("kernel", prefill.GetTagItem(SpanAttributes.MatMulPath), "f32 prompts run on the kernel");
            var profile = ModelProfile.From(ring.Shards[0].Slice.Config, ComputeDtype.Float32);
            Assert.AreEqual(profile.StepFlops(2, request.Prompt.Length, 0, computesHead: false), prefill.GetTagItem(SpanAttributes.Flops));

            // Its children here; the next hop's queue wait and forward are children too, remotely.
            var children = trace.Where(s => s.ParentSpanId == prefill.SpanId
                && s.OperationName is not (FrameNames.ComputeQueueWait or FrameNames.ComputeForward)).ToList();
            CollectionAssert.AreEquivalent(
                new[] { FrameNames.ComputeActivationsLoad, FrameNames.ComputeExecute, FrameNames.ComputeActivationsStore },
                children.Select(c => c.OperationName).ToArray());
            foreach (var child in children)
            {
                Assert.IsTrue(child.StartTimeUtc >= prefill.StartTimeUtc && child.StartTimeUtc + child.Duration <= prefill.StartTimeUtc + prefill.Duration,
                    $"{child.OperationName} inside its forward");
            }

            var execute = children.Single(c => c.OperationName == FrameNames.ComputeExecute);
            Assert.AreEqual(first.Execute.Start, execute.StartTimeUtc, "the engine call is shared by the batch");
            Assert.AreEqual(first.Execute.End, execute.StartTimeUtc + execute.Duration);

            // Shard 1 continues the trace under shard 0's forward and samples this request alone.
            var next = forwards.Single(f => f.ParentSpanId == prefill.SpanId);
            Assert.AreEqual(1, trace.Count(s => s.ParentSpanId == prefill.SpanId && s.OperationName == FrameNames.ComputeQueueWait));
            Assert.IsTrue(trace.Any(s => s.ParentSpanId == next.SpanId && s.OperationName == FrameNames.ComputeSampling));
            Assert.AreEqual(next.Id, ring.TokenFrames[request.Id][0].Traceparent, "the token continues the trace under the last forward");
            Assert.HasCount(2 * 2, trace.Where(s => s.OperationName == FrameNames.ComputeQueueWait), "one queue wait per inbound frame");
        }

        // The shared engine call appears once per request, with the same interval in each trace.
        var executes = ours.Where(s => s.OperationName == FrameNames.ComputeExecute && s.StartTimeUtc == first.Execute.Start).ToList();
        Assert.HasCount(3, executes);
        Assert.HasCount(3, executes.Select(s => s.TraceId).Distinct());
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void A_bf16_forward_says_whether_the_tiles_or_the_kernel_multiplied_it(bool tiles)
    {
        if (tiles && !Dnet.Inference.Model.ModelSlice.MatrixTilesAvailable)
        {
            Assert.Inconclusive("no AMX-BF16 tiles here (CPU, OS or architecture)");
        }
        var spans = new ConcurrentQueue<Activity>();
        using var listener = Listen(spans);
        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), Recorded);
        using var ring = new TestRing(ComputeDtype.BFloat16, [128], [], maxContext: null, tiles);
        ring.Send(new TestRequest("paths", TinyModel.Prompt(9, seed: 12), 3, 1, parent));

        ring.RunToCompletion();

        var forwards = spans.Where(s => s.TraceId == parent.TraceId && s.OperationName == FrameNames.ComputeForward)
            .OrderBy(s => (int)s.GetTagItem(SpanAttributes.Step)!).ToList();
        Assert.HasCount(3, forwards, "the prompt, then two decode steps");
        Assert.IsTrue(forwards.All(f => (string?)f.GetTagItem(SpanAttributes.MatMulPath) == (tiles ? "tiles" : "kernel")),
            "prompt and decode rows take the same path");
    }

    [TestMethod]
    public void A_refused_step_marks_only_its_own_forward_as_failed()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = Listen(spans);
        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), Recorded);
        var ghostParent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), Recorded);
        using var ring = new TestRing(ComputeDtype.Float32, prefillChunkTokens: 128);
        var running = new TestRequest("ok", TinyModel.Prompt(6, seed: 9), 2, 1, parent);
        ring.Send(running);
        ring.Shards[0].Receive(new TestRequest("ghost", [1], 2, 1, ghostParent).DecodeFrame(3, 1), ghostParent);

        ring.Shards[0].RunOnce();

        var ghost = spans.Single(s => s.TraceId == ghostParent.TraceId && s.OperationName == FrameNames.ComputeForward);
        Assert.AreEqual(ActivityStatusCode.Error, ghost.Status);
        Assert.IsFalse(spans.Any(s => s.TraceId == ghostParent.TraceId && s.OperationName == FrameNames.ComputeExecute), "it never ran");
        var ok = spans.Single(s => s.TraceId == parent.TraceId && s.OperationName == FrameNames.ComputeForward);
        Assert.AreEqual(ActivityStatusCode.Unset, ok.Status);
        Assert.AreEqual(1, ok.GetTagItem(SpanAttributes.BatchSize), "the batch that ran held the one step that was accepted");
    }

    private static ActivityListener Listen(ConcurrentQueue<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DnetTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
