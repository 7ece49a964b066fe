namespace Dnet.Repl.Commands;

/// <summary>Reads <c>--name value</c> and <c>--flag</c> words; anything else is a usage error naming what is accepted.</summary>
internal static class CommandOptions
{
    public static Dictionary<string, string> Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> valued, IReadOnlyCollection<string> flags)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : null;
            if (name is not null && flags.Contains(name))
            {
                options[name] = "true";
            }
            else if (name is not null && valued.Contains(name))
            {
                options[name] = i + 1 < args.Count ? args[++i] : throw new UsageException($"--{name} needs a value.");
            }
            else
            {
                var accepted = valued.Select(v => $"--{v} <value>").Concat(flags.Select(f => $"--{f}"));
                throw new UsageException($"Unexpected '{args[i]}'; accepted: {string.Join(", ", accepted)}.");
            }
        }

        return options;
    }
}
