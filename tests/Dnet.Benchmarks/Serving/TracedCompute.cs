using System.Text.Json;
using Dnet.Benchmarks.Shared;

namespace Dnet.Benchmarks.Serving;

/// <summary>A request's compute time as the cluster's own traces tell it (<c>GET /analytics/requests/{id}</c>).</summary>
static class TracedCompute
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The compute self time of every node of the request, summed, over its output tokens; null when the request's
    /// trace is not complete within 15 s (the nodes export their spans in batches).
    /// </summary>
    public static async Task<double?> PerTokenMsAsync(HttpClient analytics, RequestTiming request)
    {
        if (request.CompletionId is null || request.OutputTokens == 0)
        {
            return null;
        }

        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            using var response = await analytics.GetAsync($"/analytics/requests/{request.CompletionId}?format=json");
            if (response.IsSuccessStatusCode)
            {
                using var stats = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                var root = stats.RootElement;
                if (root.GetProperty("complete").GetBoolean() && root.GetProperty("unattributed_spans").GetInt64() == 0)
                {
                    double compute = root.GetProperty("nodes").EnumerateArray()
                        .SelectMany(node => node.GetProperty("groups").EnumerateArray())
                        .Where(group => group.GetProperty("group").GetString() == "compute")
                        .Sum(group => group.GetProperty("self_ms").GetDouble());
                    return Math.Round(compute / request.OutputTokens, 3);
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                return null;
            }

            await Task.Delay(500);
        }
    }
}
