using System.Net;
using System.Text.Json;
using Aspire.Hosting.Testing;

namespace Dnet.EndToEnd.Tests;

[TestClass]
public sealed class ClusterStartupTests
{
    private static readonly TimeSpan HealthyWithin = TimeSpan.FromMinutes(2);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task EveryResourceBecomesHealthy()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        timeout.CancelAfter(HealthyWithin);

        foreach (var name in Cluster.ResourceNames)
        {
            await Cluster.App.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
        }
    }

    [TestMethod]
    [DataRow("gateway")]
    [DataRow("planner")]
    [DataRow("analytics")]
    public async Task ServiceAnswersHealthWithAReport(string service)
    {
        await Cluster.App.ResourceNotifications.WaitForResourceHealthyAsync(service, TestContext.CancellationToken);
        using var http = Cluster.App.CreateHttpClient(service);

        using var response = await http.GetAsync("/health", TestContext.CancellationToken);
        var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.CancellationToken)).RootElement;

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("Healthy", report.GetProperty("checks").GetProperty("self").GetProperty("status").GetString());
    }

    [TestMethod]
    public async Task AnalyticsWritesToAndReadsFromRedis()
    {
        await Cluster.App.ResourceNotifications.WaitForResourceHealthyAsync("analytics", TestContext.CancellationToken);
        using var http = Cluster.App.CreateHttpClient("analytics");

        var report = JsonDocument.Parse(await http.GetStringAsync("/health", TestContext.CancellationToken)).RootElement;
        var roundTrip = report.GetProperty("checks").GetProperty("redis-roundtrip");

        Assert.AreEqual("Healthy", roundTrip.GetProperty("status").GetString(), roundTrip.ToString());
    }
}
