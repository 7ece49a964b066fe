using Dnet.Contracts.Shards;
using Dnet.Planner.Tests.Api;
using Dnet.ServiceDefaults.Cluster;
using Dnet.Shard.Profiling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dnet.Planner.Tests.Profiling;

[TestClass]
public sealed class LinkProberTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task MeasuresLatencyPercentilesAndBandwidthOverEcho()
    {
        await using var target = await FakeShard.StartAsync(new DeviceProfile { Node = "target" });
        using var prober = new LinkProber(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Dnet:Node"] = "probe" }).Build(),
            new ClusterSecret(FakeShard.Secret),
            NullLogger<LinkProber>.Instance);

        var link = await prober.MeasureAsync(target.Address, payloadBytes: 1024 * 1024, repeats: 10, TestContext.CancellationToken);

        Assert.AreEqual("probe", link.FromNode);
        Assert.AreEqual(target.Address, link.ToAddress);
        Assert.AreEqual(1024 * 1024, link.PayloadBytes);
        Assert.IsGreaterThan(0, link.P50RoundTripMs);
        Assert.IsGreaterThanOrEqualTo(link.P50RoundTripMs, link.P99RoundTripMs);
        Assert.AreEqual(link.P50RoundTripMs / 2, link.LatencyMs, 1e-12);
        Assert.IsGreaterThan(0, link.BandwidthMbps, "a 1 MB payload takes measurably longer than an empty one");
    }

    [TestMethod]
    public async Task OutOfRangeArgumentsAreRefused()
    {
        using var prober = new LinkProber(new ConfigurationBuilder().Build(), new ClusterSecret(null), NullLogger<LinkProber>.Instance);

        await Assert.ThrowsExactlyAsync<ArgumentOutOfRangeException>(() => prober.MeasureAsync("http://127.0.0.1:9", LinkProber.MaxPayloadBytes + 1, 1, TestContext.CancellationToken));
        await Assert.ThrowsExactlyAsync<ArgumentOutOfRangeException>(() => prober.MeasureAsync("http://127.0.0.1:9", 1, -1, TestContext.CancellationToken));
        await Assert.ThrowsExactlyAsync<ArgumentException>(() => prober.MeasureAsync("not an address", 1, 1, TestContext.CancellationToken));
    }
}
