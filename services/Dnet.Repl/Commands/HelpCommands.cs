namespace Dnet.Repl.Commands;

/// <summary><c>help</c> and <c>exit</c>.</summary>
internal static class HelpCommands
{
    private const int UsageWidth = 28;

    public static ReplCommand Help { get; } = new("help", "help", "This list.", RunHelp);

    public static ReplCommand Exit { get; } = new("exit", "exit", "Leave the REPL (Ctrl+D too).", (context, _, _) =>
    {
        context.Exit();
        return Task.CompletedTask;
    });

    private static Task RunHelp(ReplContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        context.Console.Line("Commands:");
        foreach (var command in CommandCatalog.All)
        {
            // A usage too long for the column puts its summary on the next line.
            context.Console.Line(command.Usage.Length <= UsageWidth
                ? $"  {command.Usage.PadRight(UsageWidth)}  {command.Summary}"
                : $"  {command.Usage}{Environment.NewLine}  {new string(' ', UsageWidth)}  {command.Summary}");
        }

        context.Console.Note($"gateway {context.Gateway.BaseAddress}, analytics {context.Analytics.BaseAddress}; Tab completes commands, Up/Down walks the history.");
        return Task.CompletedTask;
    }
}
