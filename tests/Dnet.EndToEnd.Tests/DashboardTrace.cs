using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Dnet.EndToEnd.Tests;

/// <summary>One span of a trace as the Aspire dashboard's telemetry API holds it (OTLP JSON).</summary>
internal sealed record DashboardSpan(string Service, string TraceId, string Name, long StartNs, long EndNs, IReadOnlyDictionary<string, string> Attributes)
{
    public double DurationMs => (EndNs - StartNs) / 1e6;

    public long? Long(string key) => Attributes.TryGetValue(key, out var value) ? long.Parse(value, CultureInfo.InvariantCulture) : null;
}

/// <summary>
/// The dashboard's telemetry API (<c>/api/telemetry/traces</c>): what the OTLP exporters of every process sent, an
/// independent source for the numbers analytics computes from the Redis span stream.
/// </summary>
internal static class DashboardTrace
{
    public static HttpClient Client()
    {
        var dashboard = new HttpClient { BaseAddress = Cluster.DashboardUrl };
        dashboard.DefaultRequestHeaders.Add("x-api-key", Cluster.DashboardApiKey);
        return dashboard;
    }

    /// <summary>
    /// The spans of the request's trace as the dashboard holds them; empty until analytics names the trace and the
    /// dashboard has it. Only the trace id comes from analytics: the spans are the dashboard's own, and one of them
    /// must carry the request id. One trace per poll, not every span the dashboard holds: a poll of everything took
    /// longer than the test's whole wait late in a run.
    /// </summary>
    public static async Task<List<DashboardSpan>> OfRequestAsync(HttpClient dashboard, HttpClient analytics, string requestId, CancellationToken cancellationToken)
    {
        using var stats = await analytics.GetAsync($"/analytics/requests/{requestId}?format=json", cancellationToken);
        if (!stats.IsSuccessStatusCode)
        {
            return [];
        }

        var traceId = (await stats.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("trace_id");
        if (traceId.ValueKind != JsonValueKind.String)
        {
            return [];
        }

        using var response = await dashboard.GetAsync($"/api/telemetry/traces/{traceId.GetString()}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }

        response.EnsureSuccessStatusCode();
        var spans = Spans(await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken));
        return spans.Any(s => s.Attributes.GetValueOrDefault("dnet.request_id") == requestId) ? spans : [];
    }

    /// <summary>The spans of an OTLP JSON answer, with the service (resource) that exported each.</summary>
    private static List<DashboardSpan> Spans(JsonElement traces)
    {
        var spans = new List<DashboardSpan>();
        foreach (var resource in traces.GetProperty("data").GetProperty("resourceSpans").EnumerateArray())
        {
            var service = resource.GetProperty("resource").GetProperty("attributes").EnumerateArray()
                .First(a => a.GetProperty("key").GetString() == "service.name").GetProperty("value").GetProperty("stringValue").GetString()!;
            foreach (var span in resource.GetProperty("scopeSpans").EnumerateArray().SelectMany(s => s.GetProperty("spans").EnumerateArray()))
            {
                spans.Add(new DashboardSpan(
                    service,
                    span.GetProperty("traceId").GetString()!,
                    span.GetProperty("name").GetString()!,
                    Nanos(span.GetProperty("startTimeUnixNano")),
                    Nanos(span.GetProperty("endTimeUnixNano")),
                    Attributes(span)));
            }
        }

        return spans;
    }

    // OTLP JSON writes 64-bit integers as strings.
    private static long Nanos(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt64();

    private static Dictionary<string, string> Attributes(JsonElement span)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!span.TryGetProperty("attributes", out var list))
        {
            return attributes;
        }

        foreach (var attribute in list.EnumerateArray())
        {
            var value = attribute.GetProperty("value");
            var text = value.TryGetProperty("stringValue", out var s) ? s.GetString()
                : value.TryGetProperty("intValue", out var i) ? (i.ValueKind == JsonValueKind.String ? i.GetString() : i.GetRawText())
                : value.TryGetProperty("doubleValue", out var d) ? d.GetRawText()
                : value.GetRawText();
            attributes[attribute.GetProperty("key").GetString()!] = text ?? "";
        }

        return attributes;
    }
}
