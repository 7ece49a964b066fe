using System.Net.Http.Json;

namespace Dnet.EndToEnd.Tests;

/// <summary>A greedy streamed chat completion as a raw SSE response, for tests that act on the ring mid-stream.</summary>
internal static class StreamingRequests
{
    /// <summary>Sends the request and returns once the headers arrive; the caller reads the body as it streams.</summary>
    public static async Task<HttpResponseMessage> OpenAsync(HttpClient http, string prompt, int maxTokens, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new
            {
                model = Cluster.ModelId,
                messages = new[] { new { role = "user", content = prompt } },
                max_tokens = maxTokens,
                temperature = 0,
                stream = true,
            }),
        };
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }
}
