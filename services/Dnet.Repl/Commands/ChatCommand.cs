using Dnet.Repl.Chat;
using Dnet.Repl.Clients;

namespace Dnet.Repl.Commands;

/// <summary><c>chat [model]</c>: a multi-turn conversation, streamed token by token, with client-side timing after each answer.</summary>
internal static class ChatCommand
{
    public const string Prompt = "you > ";
    private const string Quit = ".quit";

    public static ReplCommand Command { get; } = new(
        "chat", "chat [model]", $"Talk to a model (the loaded one by default); '{Quit}' leaves, Ctrl+C stops an answer.", RunAsync);

    private static async Task RunAsync(ReplContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args.Count > 1)
        {
            throw new UsageException("chat takes at most one model name.");
        }

        var model = args.Count == 1 ? args[0] : await LoadedModelAsync(context, cancellationToken);
        if (model is null)
        {
            context.Console.Error("No model is loaded. Run 'load [model]' first, or name one: chat <model>.");
            return;
        }

        var conversation = new ChatConversation(model);
        context.Conversation = conversation;
        var streamer = new AnswerStreamer(context.Gateway.OpenAiEndpoint, context.ChatSettings, context.Gateway.ApiKey);
        context.Console.Note($"Chatting with {model}. '{Quit}' leaves; Ctrl+C stops an answer.");
        while (!cancellationToken.IsCancellationRequested && context.Input.ReadLine(Prompt) is { } line && line.Trim() != Quit)
        {
            if (line.Trim().Length > 0)
            {
                await AnswerAsync(context, streamer, conversation, line.Trim(), cancellationToken);
            }
        }
    }

    private static async Task AnswerAsync(
        ReplContext context, AnswerStreamer streamer, ChatConversation conversation, string question, CancellationToken cancellationToken)
    {
        var output = context.Console.Profile.Out.Writer;
        using var answer = context.Cancellation.Begin(cancellationToken);
        try
        {
            var (text, stats, finishReason) = await streamer.StreamAsync(conversation.Model, conversation.Ask(question), output, answer.Token);
            await output.WriteLineAsync();
            conversation.Complete(question, text);
            var stop = finishReason is "Length" ? " | stopped at the token limit" : "";
            context.Console.Note(stats + stop);
        }
        catch (OperationCanceledException) when (answer.Token.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await output.WriteLineAsync();
            context.Console.Note("answer cancelled; this turn is not kept in the history");
        }
        catch (ServiceCallException exception)
        {
            // The chat goes on: the user may retry, or '.quit' and look at the cluster.
            await output.WriteLineAsync();
            context.Console.Error($"{exception.Service} at {exception.Url}: {exception.Reason}");
        }
    }

    private static async Task<string?> LoadedModelAsync(ReplContext context, CancellationToken cancellationToken) =>
        (await context.Gateway.ModelsAsync(cancellationToken)).Items("data").Select(model => model.Text("id")).FirstOrDefault(id => id is not null);
}
