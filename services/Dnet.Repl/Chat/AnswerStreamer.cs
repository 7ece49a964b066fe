using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Text;
using Dnet.Repl.Clients;
using OpenAI;
using OpenAI.Chat;

namespace Dnet.Repl.Chat;

/// <summary>Streams one answer from the gateway's OpenAI endpoint over SSE, writing each token as it arrives.</summary>
internal sealed class AnswerStreamer(Uri openAiEndpoint, ChatSettings settings)
{
    public async Task<(string Answer, ChatTurnStats Stats, string? FinishReason)> StreamAsync(
        string model, IReadOnlyList<ChatMessage> messages, TextWriter output, CancellationToken cancellationToken)
    {
        var client = new ChatClient(model, new ApiKeyCredential("dnet"), new OpenAIClientOptions
        {
            Endpoint = openAiEndpoint,
            // A retried chat would print a second answer after the first one's tokens; the user can ask again.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromMinutes(5),
        });
        var options = new ChatCompletionOptions { MaxOutputTokenCount = settings.MaxTokens, Temperature = settings.Temperature };

        var answer = new StringBuilder();
        var chunks = 0;
        int? reportedTokens = null;
        string? finishReason = null;
        TimeSpan? first = null;
        var last = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        try
        {
            await foreach (var update in client.CompleteChatStreamingAsync(messages, options, cancellationToken))
            {
                var text = string.Concat(update.ContentUpdate.Select(part => part.Text));
                if (text.Length > 0)
                {
                    first ??= clock.Elapsed;
                    last = clock.Elapsed;
                    chunks++;
                    answer.Append(text);
                    await output.WriteAsync(text);
                    await output.FlushAsync(cancellationToken);
                }

                reportedTokens = update.Usage?.OutputTokenCount ?? reportedTokens;
                finishReason = update.FinishReason?.ToString() ?? finishReason;
            }
        }
        catch (ClientResultException exception)
        {
            throw Failure(exception);
        }

        // The gateway ends every answer with a finish reason; a stream that stops without one was cut off (a shard
        // failed mid-answer and the gateway sent an SSE error event, which the OpenAI client does not surface).
        if (finishReason is null)
        {
            await output.WriteLineAsync();
            throw new ServiceCallException("gateway", ChatUrl, "the answer stream ended without a finish reason: the cluster failed mid-answer (see the gateway log)");
        }

        var stats = new ChatTurnStats(reportedTokens ?? chunks, first, first is { } f ? last - f : TimeSpan.Zero, clock.Elapsed);
        return (answer.ToString(), stats, finishReason);
    }

    private string ChatUrl => new Uri(openAiEndpoint + "/chat/completions").ToString();

    private ServiceCallException Failure(ClientResultException exception)
    {
        var url = ChatUrl;
        if (exception.InnerException is HttpRequestException connection)
        {
            return new ServiceCallException("gateway", url, ServiceClient.ConnectionFailure(connection), null, exception);
        }

        var response = exception.GetRawResponse();
        var reason = response is null
            ? exception.Message
            : ServiceClient.HttpFailure((System.Net.HttpStatusCode)response.Status, response.ReasonPhrase, response.Content.ToString());
        return new ServiceCallException("gateway", url, reason, response?.Status, exception);
    }
}
