using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Text;
using Dnet.Repl.Clients;
using OpenAI;
using OpenAI.Chat;

namespace Dnet.Repl.Chat;

/// <summary>Streams one answer from the gateway's OpenAI endpoint over SSE, writing each token as it arrives.</summary>
internal sealed class AnswerStreamer(Uri openAiEndpoint, ChatSettings settings, string? apiKey = null)
{
    public async Task<(string Answer, ChatTurnStats Stats, string? FinishReason)> StreamAsync(
        string model, IReadOnlyList<ChatMessage> messages, TextWriter output, CancellationToken cancellationToken)
    {
        // The OpenAI client always sends a key; a cluster without one ignores it.
        var client = new ChatClient(model, new ApiKeyCredential(apiKey ?? "dnet"), new OpenAIClientOptions
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
        string? streamError = null;
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
                streamError ??= StreamError(update);
            }
        }
        catch (ClientResultException exception)
        {
            throw Failure(exception);
        }

        // The gateway ends every answer with a finish reason. A failure mid-answer arrives as a last update carrying
        // an "error" object (the .NET client yields it as an update rather than throwing); no finish reason and no
        // error means the connection was cut.
        if (finishReason is null)
        {
            await output.WriteLineAsync();
            throw new ServiceCallException("gateway", ChatUrl, streamError is { } error
                ? $"the cluster failed mid-answer: {error}"
                : "the answer stream ended without a finish reason: the connection was cut (see the gateway log)");
        }

        var stats = new ChatTurnStats(reportedTokens ?? chunks, first, first is { } f ? last - f : TimeSpan.Zero, clock.Elapsed);
        return (answer.ToString(), stats, finishReason);
    }

    private string ChatUrl => new Uri(openAiEndpoint + "/chat/completions").ToString();

    /// <summary>The message of an <c>{"error": {...}}</c> event, read from the update as the client serializes it.</summary>
    private static string? StreamError(StreamingChatCompletionUpdate update) =>
        JsonFields.ErrorMessage(ModelReaderWriter.Write(update).ToString());

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
