namespace Dnet.Repl.Commands;

/// <summary>Every command, in the order <c>help</c> lists them.</summary>
internal static class CommandCatalog
{
    public static IReadOnlyList<ReplCommand> All { get; } =
    [
        HelpCommands.Help,
        StatusCommand.Command,
        NodesCommand.Command,
        TopologyCommand.Command,
        .. ModelCommands.Commands,
        ChatCommand.Command,
        TraceCommand.Command,
        PerfCommand.Command,
        HelpCommands.Exit,
    ];
}
