using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Dnet.Contracts.Tracing;
using Microsoft.Extensions.DependencyInjection;

namespace Dnet.Analytics.Tests;

[TestClass]
public sealed class MetricsTests
{
    [TestMethod]
    public async Task Every_ingested_frame_is_measured_once()
    {
        var stream = TestRedis.NewStream();
        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key);
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        var measurements = new ConcurrentBag<(string Instrument, string? Unit, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                // Only this host's Dnet meter: other tests' hosts run in the same process.
                if (instrument.Meter.Name == "Dnet" && instrument.Meter.Scope == meters)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            measurements.Add((instrument.Name, instrument.Unit, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();

        var trace = new RequestTrace("chatcmpl-measured");
        var batch = stream.Batch("shard-0", trace.Shard(0));
        await stream.AddAsync(batch);
        await stream.AddAsync(batch);
        await stream.AddAsync("gateway", trace.Gateway());
        await host.WaitUntilCaughtUpAsync(3);

        var frames = measurements.Where(m => m.Instrument == "dnet.frame.duration").ToList();
        Assert.HasCount(21, frames, "one measurement per distinct span; the redelivered batch adds none");
        Assert.IsTrue(frames.All(m => m.Unit == "ms"));
        var execute = frames.Where(m => (string?)m.Tags["dnet.frame.name"] == FrameNames.ComputeExecute).ToList();
        Assert.HasCount(RequestTrace.Tokens, execute);
        Assert.IsTrue(execute.All(m => (string?)m.Tags["dnet.node"] == "shard-0" && Math.Abs(m.Value - 4.0) < 1e-9));
        Assert.IsFalse(measurements.Any(m => m.Instrument.StartsWith("gen_ai.", StringComparison.Ordinal)), "the gateway records the GenAI metrics, not analytics");
    }
}
