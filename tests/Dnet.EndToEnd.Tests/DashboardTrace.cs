using System.Globalization;
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

    /// <summary>Every span the dashboard holds, with the service (resource) that exported it.</summary>
    public static async Task<List<DashboardSpan>> AllSpansAsync(HttpClient dashboard, CancellationToken cancellationToken)
    {
        var traces = await dashboard.GetFromJsonAsync<JsonElement>("/api/telemetry/traces", cancellationToken);
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

    /// <summary>The spans of the trace whose root carries <paramref name="requestId"/>; empty until the dashboard has it.</summary>
    public static async Task<List<DashboardSpan>> OfRequestAsync(HttpClient dashboard, string requestId, CancellationToken cancellationToken)
    {
        var spans = await AllSpansAsync(dashboard, cancellationToken);
        var traceId = spans.FirstOrDefault(s => s.Attributes.GetValueOrDefault("dnet.request_id") == requestId)?.TraceId;
        return traceId is null ? [] : spans.Where(s => s.TraceId == traceId).ToList();
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
