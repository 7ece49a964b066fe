using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Dnet.AppHost;

/// <summary>
/// One HTTP call from a dashboard command to a service of the cluster, carrying the API key when there is one; the
/// answer becomes the command's result (the body as Markdown on success, status and body on failure).
/// </summary>
internal static class ServiceCall
{
    public static async Task<ExecuteCommandResult> SendAsync(
        EndpointReference endpoint, ParameterResource apiKey, HttpMethod method, string path, object? body, string what,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var url = new Uri(new Uri(endpoint.Url), path);
        using var http = new HttpClient { Timeout = timeout };
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (await apiKey.GetValueAsync(cancellationToken) is { Length: > 0 } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return response.IsSuccessStatusCode
                ? CommandResults.Success(what, text, CommandResultFormat.Markdown, displayImmediately: true)
                : CommandResults.Failure($"{url} answered {(int)response.StatusCode}: {text}");
        }
        catch (HttpRequestException exception)
        {
            return CommandResults.Failure($"{url} is unreachable: {exception.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CommandResults.Failure($"{url} did not answer within {timeout.TotalSeconds:0} s");
        }
    }
}
