using Dnet.Repl.Commands;

namespace Dnet.Repl.Input;

/// <summary>Tab completion: command names for the first word, a command's subcommands for the second.</summary>
internal sealed class CommandCompleter(IReadOnlyList<ReplCommand> commands)
{
    /// <summary>Candidates for the word that ends <paramref name="textBeforeCursor"/>, and where that word starts.</summary>
    public (IReadOnlyList<string> Candidates, int WordStart) Complete(string textBeforeCursor)
    {
        var wordStart = textBeforeCursor.LastIndexOf(' ') + 1;
        var word = textBeforeCursor[wordStart..];
        var previous = textBeforeCursor[..wordStart].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        IEnumerable<string> options = previous.Length switch
        {
            0 => commands.Select(command => command.Name),
            1 => commands.FirstOrDefault(command => command.Name == previous[0])?.Subcommands ?? [],
            _ => [],
        };
        return ([.. options.Where(option => option.StartsWith(word, StringComparison.Ordinal)).Order(StringComparer.Ordinal)], wordStart);
    }

    /// <summary>The longest prefix all candidates share.</summary>
    public static string CommonPrefix(IReadOnlyList<string> candidates)
    {
        var prefix = candidates[0];
        foreach (var candidate in candidates)
        {
            var length = 0;
            while (length < prefix.Length && length < candidate.Length && prefix[length] == candidate[length])
            {
                length++;
            }

            prefix = prefix[..length];
        }

        return prefix;
    }
}
