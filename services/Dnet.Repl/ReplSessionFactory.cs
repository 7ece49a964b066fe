using Dnet.Repl.Clients;
using Dnet.Repl.Commands;
using Dnet.Repl.Input;
using Spectre.Console;

namespace Dnet.Repl;

/// <summary>Builds a session for a terminal (line editor, colours) or for a script (any reader and writer, plain text).</summary>
internal static class ReplSessionFactory
{
    // Loading a model waits for every shard to read its weights; Ctrl+C ends the wait sooner.
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(10) };

    public static ReplSession ForTerminal(ReplOptions options)
    {
        var input = new ConsoleLineEditor(new LineHistory(LineHistory.DefaultFile), new CommandCompleter(CommandCatalog.All));
        return Create(options, input, AnsiConsole.Console);
    }

    public static ReplSession ForScript(ReplOptions options, TextReader input, TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        // Redirected output has no width; wide enough that tables are not wrapped mid-cell.
        console.Profile.Width = 200;
        return Create(options, new ScriptLineReader(input, output), console);
    }

    private static ReplSession Create(ReplOptions options, ILineReader input, IAnsiConsole console)
    {
        var context = new ReplContext(
            console, input, new GatewayClient(options.Gateway, Http, options.ApiKey), new AnalyticsClient(options.Analytics, Http, options.ApiKey), options.Chat);
        return new ReplSession(context, CommandCatalog.All);
    }
}
