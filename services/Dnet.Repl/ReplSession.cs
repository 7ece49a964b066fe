using Dnet.Repl.Clients;
using Dnet.Repl.Commands;
using Dnet.Repl.Input;

namespace Dnet.Repl;

/// <summary>
/// The read-eval-print loop: reads a line, runs its command, and whatever the command hits (a service down, an error
/// status, bad arguments, Ctrl+C) is printed as one line and the loop goes on.
/// </summary>
internal sealed class ReplSession(ReplContext context, IReadOnlyList<ReplCommand> commands)
{
    public const string Prompt = "dnet > ";

    public ReplContext Context { get; } = context;

    public IReadOnlyList<ReplCommand> Commands { get; } = commands;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!Context.ExitRequested && !cancellationToken.IsCancellationRequested)
        {
            if (Context.Input.ReadLine(Prompt) is not { } line)
            {
                return;
            }

            await ExecuteAsync(line, cancellationToken);
        }
    }

    public async Task ExecuteAsync(string line, CancellationToken cancellationToken)
    {
        var words = LineTokenizer.Split(line);
        if (words.Count == 0)
        {
            return;
        }

        var command = Commands.FirstOrDefault(c => c.Name.Equals(words[0], StringComparison.OrdinalIgnoreCase));
        if (command is null)
        {
            Context.Console.Error(UnknownCommand(words[0]));
            return;
        }

        using var scope = Context.Cancellation.Begin(cancellationToken);
        try
        {
            await command.RunAsync(Context, [.. words.Skip(1)], scope.Token);
        }
        catch (ServiceCallException exception)
        {
            Context.Console.Error($"{exception.Service} at {exception.Url}: {exception.Reason}");
        }
        catch (UsageException exception)
        {
            Context.Console.Error(exception.Message);
            Context.Console.Note($"usage: {command.Usage}");
        }
        catch (OperationCanceledException) when (scope.Token.IsCancellationRequested)
        {
            Context.Console.Note("cancelled");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A fault in one command (an answer shaped unlike what it expects, say) must not end the session.
            Context.Console.Error($"'{command.Name}' failed: {exception.GetType().Name}: {exception.Message}");
        }
    }

    private string UnknownCommand(string word)
    {
        var similar = Commands.Where(c => c.Name.StartsWith(word[..1], StringComparison.OrdinalIgnoreCase)).Select(c => c.Name).ToList();
        var hint = similar.Count > 0 ? $" Did you mean {string.Join(" or ", similar)}?" : "";
        return $"Unknown command '{word}'.{hint} Type 'help' to list the commands.";
    }
}
