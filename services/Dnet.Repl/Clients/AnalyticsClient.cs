using System.Text;
using System.Text.Json.Nodes;

namespace Dnet.Repl.Clients;

/// <summary>The analytics service: annotate tables, request stats and counter groups, all read as text tables.</summary>
internal sealed class AnalyticsClient(Uri baseAddress, HttpClient http, string? apiKey = null) : ServiceClient("analytics", baseAddress, http, apiKey)
{
    public Task<string> AnnotateAsync(IEnumerable<KeyValuePair<string, string>> filters, CancellationToken cancellationToken) =>
        GetTextAsync(WithQuery("/analytics/annotate", filters.Append(KeyValuePair.Create("format", "text"))), cancellationToken);

    /// <summary>Stats of one request, or of the last completed one when <paramref name="requestId"/> is null.</summary>
    public Task<string> RequestStatsAsync(string? requestId, CancellationToken cancellationToken) =>
        GetTextAsync($"/analytics/requests/{Uri.EscapeDataString(requestId ?? "last")}?format=text", cancellationToken);

    public Task<string> RecentRequestsAsync(int count, CancellationToken cancellationToken) =>
        GetTextAsync($"/analytics/requests?last={count}&format=text", cancellationToken);

    public Task<JsonNode?> AddGroupAsync(string name, IEnumerable<string> prefixes, CancellationToken cancellationToken) =>
        PostJsonAsync("/analytics/groups", new JsonObject
        {
            ["name"] = name,
            ["prefixes"] = new JsonArray([.. prefixes.Select(prefix => (JsonNode)prefix)]),
        }, cancellationToken);

    private static string WithQuery(string path, IEnumerable<KeyValuePair<string, string>> query)
    {
        var text = new StringBuilder(path);
        var separator = '?';
        foreach (var (name, value) in query)
        {
            text.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return text.ToString();
    }
}
