using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// A clean start logs no Error: services starting up, a gateway loading its model and health probes in between are
/// expected states, logged at Information. Read from the dashboard's structured logs (what a user sees there).
/// </summary>
[TestClass]
public sealed class CleanStartTests
{
    /// <summary>OTLP severity number of ERROR; FATAL is above it.</summary>
    private const int ErrorSeverity = 17;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task NoServiceLogsAnErrorWhileTheClusterStarts()
    {
        using var dashboard = new HttpClient { BaseAddress = Cluster.DashboardUrl };
        dashboard.DefaultRequestHeaders.Add("x-api-key", Cluster.DashboardApiKey);
        // Logs reach the dashboard in OTLP batches a few seconds after they are written.
        var startEnd = Cluster.HealthyAt.AddSeconds(2);
        await Task.Delay(Math.Max(0, (int)(startEnd.AddSeconds(8) - DateTimeOffset.UtcNow).TotalMilliseconds), TestContext.CancellationToken);

        var logs = await dashboard.GetFromJsonAsync<JsonElement>("/api/telemetry/logs", TestContext.CancellationToken);

        var records = Records(logs).ToList();
        Assert.IsNotEmpty(records, "the dashboard has no structured logs at all: the test would prove nothing");
        var errors = records
            .Where(r => r.Severity >= ErrorSeverity && r.Time <= startEnd)
            .Select(r => $"{r.Service} {r.Time:O}: {r.Body}")
            .ToList();
        Assert.IsEmpty(errors, string.Join('\n', errors));
    }

    private static IEnumerable<(string Service, DateTimeOffset Time, int Severity, string Body)> Records(JsonElement logs)
    {
        foreach (var resource in logs.GetProperty("data").GetProperty("resourceLogs").EnumerateArray())
        {
            var service = resource.GetProperty("resource").GetProperty("attributes").EnumerateArray()
                .First(a => a.GetProperty("key").GetString() == "service.name").GetProperty("value").GetProperty("stringValue").GetString()!;
            foreach (var record in resource.GetProperty("scopeLogs").EnumerateArray().SelectMany(s => s.GetProperty("logRecords").EnumerateArray()))
            {
                var nanos = record.GetProperty("timeUnixNano");
                var ns = nanos.ValueKind == JsonValueKind.String ? long.Parse(nanos.GetString()!, CultureInfo.InvariantCulture) : nanos.GetInt64();
                var severity = !record.TryGetProperty("severityNumber", out var number) ? 0
                    : number.ValueKind == JsonValueKind.Number ? number.GetInt32()
                    : number.GetString() is { } name && (name.Contains("ERROR", StringComparison.Ordinal) || name.Contains("FATAL", StringComparison.Ordinal)) ? ErrorSeverity
                    : 0;
                var body = record.TryGetProperty("body", out var b) ? b.ToString() : "";
                yield return (service, DateTimeOffset.UnixEpoch.AddTicks(ns / 100), severity, body);
            }
        }
    }
}
