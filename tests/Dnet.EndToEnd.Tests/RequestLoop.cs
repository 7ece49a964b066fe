using System.Net.Http.Json;
using System.Text.Json;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// Chat completions one after another until stopped, as a steady client would send them; every one must succeed.
/// <see cref="Completed"/> lists each request's id and the tokens the client was told it got.
/// </summary>
internal sealed class RequestLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource stop;
    private readonly Task loop;
    private readonly List<(string Id, int Tokens)> completed = [];

    private RequestLoop(HttpClient gateway, CancellationToken cancel)
    {
        stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        loop = Task.Run(() => RunAsync(gateway, stop.Token));
    }

    public IReadOnlyList<(string Id, int Tokens)> Completed
    {
        get
        {
            lock (completed)
            {
                return [.. completed];
            }
        }
    }

    public static RequestLoop Start(HttpClient gateway, CancellationToken cancel) => new(gateway, cancel);

    /// <summary>Waits until <paramref name="count"/> requests have completed (and fails if the loop failed).</summary>
    public async Task WaitForAsync(int count, CancellationToken cancel)
    {
        while (Completed.Count < count)
        {
            if (loop.IsCompleted)
            {
                await loop;
                Assert.Fail("the request loop ended");
            }

            await Task.Delay(50, cancel);
        }
    }

    /// <summary>Stops after the request in progress and rethrows what failed.</summary>
    public async Task StopAsync()
    {
        await stop.CancelAsync();
        await loop;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await loop;
        }
        catch (Exception)
        {
            // Reported by StopAsync when the test got that far.
        }

        stop.Dispose();
    }

    private async Task RunAsync(HttpClient gateway, CancellationToken cancel)
    {
        for (var i = 0; !cancel.IsCancellationRequested; i++)
        {
            using var response = await gateway.PostAsJsonAsync("/v1/chat/completions", new
            {
                model = Cluster.ModelId,
                messages = new[] { new { role = "user", content = $"Request {i}: keep going." } },
                max_tokens = 8,
                temperature = 0,
            }, CancellationToken.None);
            var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
            Assert.IsTrue(response.IsSuccessStatusCode, $"request {i} failed: {(int)response.StatusCode} {body}");
            var json = JsonDocument.Parse(body).RootElement;
            lock (completed)
            {
                completed.Add((json.GetProperty("id").GetString()!, json.GetProperty("usage").GetProperty("completion_tokens").GetInt32()));
            }
        }
    }
}
