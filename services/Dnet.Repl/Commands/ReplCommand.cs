namespace Dnet.Repl.Commands;

/// <summary>One REPL command: its name, how it is used, and what it does with its words.</summary>
/// <param name="Name">The first word of the line.</param>
/// <param name="Usage">Synopsis shown by <c>help</c>.</param>
/// <param name="Summary">One line for <c>help</c>.</param>
/// <param name="RunAsync">Runs the command with the words after its name.</param>
internal sealed record ReplCommand(
    string Name,
    string Usage,
    string Summary,
    Func<ReplContext, IReadOnlyList<string>, CancellationToken, Task> RunAsync)
{
    /// <summary>Second words offered by tab completion.</summary>
    public IReadOnlyList<string> Subcommands { get; init; } = [];
}
