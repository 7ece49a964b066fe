using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Dnet.Repl.Clients;

/// <summary>
/// HTTP calls to one cluster service. Every failure (no connection, timeout, an error status) becomes a
/// <see cref="ServiceCallException"/> naming the URL and the reason, with the service's own error message when it sent one.
/// With an API key every call carries it as <c>Authorization: Bearer</c>.
/// </summary>
internal class ServiceClient(string service, Uri baseAddress, HttpClient http, string? apiKey = null)
{
    public string Service { get; } = service;

    public Uri BaseAddress { get; } = baseAddress;

    /// <summary>The cluster's API key, or null.</summary>
    public string? ApiKey { get; } = apiKey;

    public Task<JsonNode?> GetJsonAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, ParseJson, cancellationToken);

    public Task<JsonNode?> PostJsonAsync(string path, JsonNode body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, body, ParseJson, cancellationToken);

    public Task<string> GetTextAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, text => text, cancellationToken);

    /// <summary>
    /// <c>GET /health</c>: an unhealthy service answers 503 with the same report body, which is what a person wants to
    /// see, so any status with a JSON body is an answer here.
    /// </summary>
    public Task<JsonNode?> HealthAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "/health", null, ParseJson, cancellationToken, anyStatus: true);

    public string UrlOf(string path) => new Uri(BaseAddress, path).ToString();

    private async Task<T> SendAsync<T>(HttpMethod method, string path, JsonNode? body, Func<string, T> read, CancellationToken cancellationToken, bool anyStatus = false)
    {
        var url = UrlOf(path);
        using var request = new HttpRequestMessage(method, url);
        if (ApiKey is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ApiKey);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode && !(anyStatus && IsJson(response)))
            {
                throw new ServiceCallException(Service, url, HttpFailure(response.StatusCode, response.ReasonPhrase, text), (int)response.StatusCode);
            }

            return read(text);
        }
        catch (HttpRequestException exception)
        {
            throw new ServiceCallException(Service, url, ConnectionFailure(exception), null, exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServiceCallException(Service, url, $"no answer within {http.Timeout.TotalSeconds:0} s", null, exception);
        }
        catch (System.Text.Json.JsonException exception)
        {
            throw new ServiceCallException(Service, url, $"the answer is not JSON ({exception.Message})", null, exception);
        }
    }

    private static bool IsJson(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true;

    private static JsonNode? ParseJson(string text) => text.Length == 0 ? null : JsonNode.Parse(text);

    public static string HttpFailure(HttpStatusCode status, string? reasonPhrase, string body)
    {
        var message = JsonFields.ErrorMessage(body) ?? Shorten(body);
        if (status == HttpStatusCode.NotFound && message.Length == 0)
        {
            message = "the service has no such endpoint (an older build?)";
        }

        if (status == HttpStatusCode.Unauthorized)
        {
            message += $" (the cluster has an API key: pass --api-key or set {ReplOptions.ApiKeyVariable})";
        }

        var head = $"HTTP {(int)status} {reasonPhrase ?? status.ToString()}";
        return message is { Length: > 0 } ? $"{head}: {message}" : head;
    }

    public static string ConnectionFailure(HttpRequestException exception) =>
        exception.InnerException is SocketException socket
            ? $"cannot connect ({socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused: is the cluster running?",
                SocketError.HostNotFound => "host not found",
                _ => socket.Message,
            }})"
            : $"cannot connect ({exception.Message})";

    private static string Shorten(string body)
    {
        var line = body.ReplaceLineEndings(" ").Trim();
        return line.Length <= 200 ? line : line[..200] + "...";
    }
}
