using System.Diagnostics;
using Dnet.Contracts.Tracing;
using Dnet.Shard.Profiling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dnet.Planner.Tests.Profiling;

[TestClass]
public sealed class DeviceProfilerTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task OverridesWinAndAreReported()
    {
        var profiler = Profiler(new()
        {
            ["Dnet:Shard:Index"] = "3",
            ["Dnet:Profile:UsableMemoryBytes"] = "123456789",
            ["Dnet:Profile:Gflops"] = "12.5",
            ["Dnet:Profile:MemoryBandwidthGbps"] = "7",
            ["Dnet:Profile:DiskReadGbps"] = "0.25",
        });

        var profile = await profiler.MeasureAsync("f32", TestContext.CancellationToken);

        Assert.AreEqual("shard-3", profile.Node);
        Assert.AreEqual("f32", profile.ComputeDtype);
        Assert.AreEqual(123456789, profile.UsableMemoryBytes);
        Assert.AreEqual(12.5, profile.Gflops);
        Assert.AreEqual(7, profile.MemoryBandwidthGbps);
        Assert.AreEqual(0.25, profile.DiskReadGbps);
        CollectionAssert.AreEqual(new[] { "usable_memory_bytes", "gflops", "memory_bandwidth_gbps", "disk_read_gbps" }, profile.Overridden.ToArray());
    }

    [TestMethod]
    public async Task FieldsWithoutOverrideAreMeasuredAndTheProfileIsCached()
    {
        var profiler = Profiler(new() { ["Dnet:Profile:Gflops"] = "40", ["Dnet:Profile:DiskProbeDirectory"] = Path.GetTempPath() });

        var first = await profiler.MeasureAsync("", TestContext.CancellationToken);
        first.UsableMemoryBytes = -1;
        var second = await profiler.MeasureAsync("bf16", TestContext.CancellationToken);

        Assert.AreEqual("bf16", first.ComputeDtype);
        Assert.AreEqual(40, second.Gflops);
        CollectionAssert.AreEqual(new[] { "gflops" }, second.Overridden.ToArray());
        Assert.IsGreaterThan(0, second.UsableMemoryBytes, "a caller's change must not leak into the cache");
        Assert.IsGreaterThan(0, second.MemoryBandwidthGbps);
        Assert.IsGreaterThan(0, second.DiskReadGbps);
    }

    [TestMethod]
    public async Task MatmulThroughputIsMeasuredForTheComputeDtype()
    {
        var profiler = Profiler(new()
        {
            ["Dnet:Profile:UsableMemoryBytes"] = "1",
            ["Dnet:Profile:MemoryBandwidthGbps"] = "1",
            ["Dnet:Profile:DiskReadGbps"] = "1",
        });

        var profile = await profiler.MeasureAsync("f32", TestContext.CancellationToken);

        Assert.IsGreaterThan(0.1, profile.Gflops);
        CollectionAssert.DoesNotContain(profile.Overridden.ToArray(), "gflops");
    }

    [TestMethod]
    public async Task MeasuringIsAStartupProfileDeviceFrame()
    {
        var frames = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DnetTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = frames.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var profiler = Profiler(new()
        {
            ["Dnet:Node"] = "shard-7",
            ["Dnet:Profile:UsableMemoryBytes"] = "1",
            ["Dnet:Profile:Gflops"] = "1",
            ["Dnet:Profile:MemoryBandwidthGbps"] = "1",
            ["Dnet:Profile:DiskReadGbps"] = "1",
        });

        await profiler.MeasureAsync("f32", TestContext.CancellationToken);

        var frame = frames.Single(f => f.OperationName == FrameNames.StartupProfileDevice);
        Assert.AreEqual("f32", frame.GetTagItem(SpanAttributes.Dtype));
        Assert.AreEqual("shard-7", frame.GetTagItem(SpanAttributes.Node));
    }

    [TestMethod]
    public async Task ABadOverrideNamesItsKey()
    {
        var profiler = Profiler(new() { ["Dnet:Profile:Gflops"] = "fast" });

        var error = await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => profiler.MeasureAsync("bf16", TestContext.CancellationToken));

        StringAssert.Contains(error.Message, "Dnet:Profile:Gflops");
    }

    [TestMethod]
    public async Task AnUnknownDtypeIsRefused()
    {
        var profiler = Profiler([]);

        await Assert.ThrowsExactlyAsync<ArgumentException>(() => profiler.MeasureAsync("int8", TestContext.CancellationToken));
    }

    private static DeviceProfiler Profiler(Dictionary<string, string?> settings) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), NullLogger<DeviceProfiler>.Instance);
}
