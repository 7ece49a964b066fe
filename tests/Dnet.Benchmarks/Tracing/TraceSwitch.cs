using System.Net.Http.Json;
using System.Text.Json;

namespace Dnet.Benchmarks.Tracing;

/// <summary>The gateway's run-time trace control, <c>GET</c>/<c>POST /v1/trace</c>, which every node applies through Redis.</summary>
static class TraceSwitch
{
    /// <summary>Nodes apply a change within a second; waiting longer keeps a round from starting on a mixed cluster.</summary>
    static readonly TimeSpan Propagation = TimeSpan.FromSeconds(1.5);

    public static async Task<bool> IsEnabledAsync(HttpClient gateway, CancellationToken cancellationToken)
    {
        using var status = JsonDocument.Parse(await gateway.GetStringAsync("/v1/trace", cancellationToken));
        return status.RootElement.GetProperty("enabled").GetBoolean();
    }

    public static Task SetAsync(HttpClient gateway, bool enabled, CancellationToken cancellationToken) =>
        SetAsync(gateway, enabled, [], cancellationToken);

    /// <summary>Switches tracing and its name-prefix filter (empty: every frame) on every node.</summary>
    public static async Task SetAsync(HttpClient gateway, bool enabled, IReadOnlyList<string> includePrefixes, CancellationToken cancellationToken)
    {
        using var response = await gateway.PostAsJsonAsync("/v1/trace", new Dictionary<string, object>
        {
            ["enabled"] = enabled,
            ["include_prefixes"] = includePrefixes,
        }, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"POST /v1/trace failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        await Task.Delay(Propagation, cancellationToken);
    }
}
