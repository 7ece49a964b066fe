using System.Diagnostics;
using Dnet.ServiceDefaults.Tracing;

namespace Dnet.Tracing.Tests;

[TestClass]
public sealed class FrameContextTests
{
    [TestMethod]
    public void InjectThenExtractYieldsTheSameTraceAndParent()
    {
        using var sender = new Activity("network.tx").SetIdFormat(ActivityIdFormat.W3C);
        sender.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        sender.TraceStateString = "dnet=1";
        sender.Start();

        var carried = FrameContext.Inject(sender);
        var parent = FrameContext.Extract(carried.Traceparent, carried.Tracestate);

        Assert.AreEqual(sender.TraceId, parent.TraceId);
        Assert.AreEqual(sender.SpanId, parent.SpanId);
        Assert.AreEqual(ActivityTraceFlags.Recorded, parent.TraceFlags);
        Assert.AreEqual("dnet=1", parent.TraceState);
        Assert.IsTrue(parent.IsRemote);
    }

    [TestMethod]
    public void AFrameStartedUnderAnExtractedContextIsItsChild()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Dnet",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var tx = DnetFrames.Start("network.tx");
        Assert.IsNotNull(tx);
        var carried = FrameContext.Inject(tx);
        tx.Stop();

        using var rx = DnetFrames.Start("network.rx", carried.Traceparent, carried.Tracestate);

        Assert.IsNotNull(rx);
        Assert.AreEqual(tx.TraceId, rx.TraceId);
        Assert.AreEqual(tx.SpanId, rx.ParentSpanId);
    }

    [TestMethod]
    public void NoContextInjectsEmptyStringsAndMalformedExtractsDefault()
    {
        Assert.IsNull(Activity.Current);
        Assert.AreEqual(PropagatedContext.None, FrameContext.Inject(null));
        Assert.AreEqual(default, FrameContext.Extract("", ""));
        Assert.AreEqual(default, FrameContext.Extract("00-not-a-context-01", null));
    }
}
