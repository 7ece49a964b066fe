using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Dnet.Benchmarks.Shared;

/// <summary>What one streamed chat completion took, measured by the client (milliseconds from sending the request).</summary>
/// <param name="TtftMs">First chunk that delivers a token (content text or a logprob entry).</param>
/// <param name="ItlMs">Gaps between consecutive token chunks.</param>
/// <param name="E2eMs">Until the stream ended (<c>[DONE]</c>).</param>
/// <param name="OutputTokens">Completion tokens from the usage chunk (a chunk can carry more than one token).</param>
/// <param name="PromptTokens">Prompt tokens from the usage chunk.</param>
/// <param name="CompletionId">The <c>id</c> of the chunks (<c>chatcmpl-...</c>).</param>
sealed record RequestTiming(double TtftMs, IReadOnlyList<double> ItlMs, double E2eMs, int OutputTokens, int PromptTokens, string? CompletionId)
{
    /// <summary>Time per output token after the first; null for a one-token answer.</summary>
    public double? TpotMs => OutputTokens > 1 ? (E2eMs - TtftMs) / (OutputTokens - 1) : null;
}

/// <summary>
/// A raw Server-Sent Events reader for <c>POST /v1/chat/completions</c> with <c>stream: true</c>: no SDK between the
/// socket and the clock, so TTFT and inter-token gaps are what a client sees.
/// </summary>
static class ChatStream
{
    public static async Task<RequestTiming> SendAsync(HttpClient gateway, ChatLoad load, int seed, CancellationToken cancellationToken)
    {
        // Random weights rarely pick end-of-sequence, and the gateway has no ignore_eos: seeded sampling at
        // temperature 1 almost always runs to max_tokens, and the usage chunk counts what really came out.
        var body = JsonSerializer.Serialize(new
        {
            model = load.Model,
            messages = new[] { new { role = "user", content = load.Prompt } },
            max_tokens = load.MaxTokens,
            temperature = 1.0,
            seed,
            // A token whose bytes are not yet valid UTF-8 has no text; with logprobs it still gets its own chunk,
            // so every token is seen when it arrives instead of with the next printable one.
            logprobs = true,
            stream = true,
            stream_options = new { include_usage = true },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        var clock = Stopwatch.StartNew();
        using var response = await gateway.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"chat completion failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        double? first = null;
        double last = 0;
        var gaps = new List<double>();
        int outputTokens = 0, promptTokens = 0;
        string? completionId = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var data = line["data: ".Length..];
            if (data == "[DONE]")
            {
                break;
            }

            double now = clock.Elapsed.TotalMilliseconds;
            using var chunk = JsonDocument.Parse(data);
            if (chunk.RootElement.TryGetProperty("error", out var error))
            {
                // The gateway reports a failure mid-stream as a data event carrying the OpenAI error object.
                throw new HttpRequestException($"chat completion failed mid-stream: {error}");
            }

            if (completionId is null && chunk.RootElement.TryGetProperty("id", out var id))
            {
                completionId = id.GetString();
            }

            if (HasTokens(chunk.RootElement))
            {
                if (first is null)
                {
                    first = now;
                }
                else
                {
                    gaps.Add(now - last);
                }

                last = now;
            }

            if (chunk.RootElement.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                outputTokens = usage.GetProperty("completion_tokens").GetInt32();
                promptTokens = usage.GetProperty("prompt_tokens").GetInt32();
            }
        }

        double end = clock.Elapsed.TotalMilliseconds;
        return new RequestTiming(first ?? end, gaps, end, outputTokens, promptTokens, completionId);
    }

    /// <summary>A chunk that delivers tokens: content text, or logprob entries (tokens without printable text yet).</summary>
    static bool HasTokens(JsonElement chunk) =>
        chunk.TryGetProperty("choices", out var choices)
        && choices.GetArrayLength() > 0
        && ((choices[0].TryGetProperty("delta", out var delta)
                && delta.TryGetProperty("content", out var content)
                && content.ValueKind == JsonValueKind.String
                && content.GetString()!.Length > 0)
            || (choices[0].TryGetProperty("logprobs", out var logprobs)
                && logprobs.ValueKind == JsonValueKind.Object
                && logprobs.GetProperty("content").GetArrayLength() > 0));
}

/// <summary>The request every benchmark sends: one user message, a fixed output budget.</summary>
/// <param name="Model">Model id as the gateway serves it.</param>
/// <param name="Prompt">The user message.</param>
/// <param name="MaxTokens">Output budget.</param>
sealed record ChatLoad(string Model, string Prompt, int MaxTokens)
{
    /// <summary>About 64 prompt tokens with dnet-bench-135m's chat template (dnet-tiny's small vocabulary makes it longer).</summary>
    public static string DefaultPrompt { get; } = string.Join(' ', Enumerable.Repeat(
        "the cluster streams every token from shard to shard and measures where the time goes", 2));
}
