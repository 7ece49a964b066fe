using System.Globalization;
using Dnet.Repl.Clients;

namespace Dnet.Repl.Commands;

/// <summary><c>perf stats [ID]</c>, <c>perf requests [N]</c> and <c>perf add &lt;group&gt; &lt;prefix&gt;...</c>, served by analytics.</summary>
internal static class PerfCommand
{
    private const string Usage = "perf stats [request-id] | perf requests [N] | perf add <group> <prefix>...";

    public static ReplCommand Command { get; } = new("perf", Usage, "Request stats (TTFT, ITL, tokens/s, per-node time) and counter groups.", RunAsync)
    {
        Subcommands = ["stats", "requests", "add"],
    };

    private static async Task RunAsync(ReplContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        switch (args.FirstOrDefault() ?? "stats")
        {
            case "stats" when args.Count <= 2:
                context.Console.Verbatim(await context.Analytics.RequestStatsAsync(args.ElementAtOrDefault(1), cancellationToken));
                break;
            case "requests" when args.Count <= 2:
                var count = args.Count == 2 && int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                    ? n
                    : args.Count == 2 ? throw new UsageException($"'{args[1]}' is not a positive number of requests.") : 20;
                context.Console.Verbatim(await context.Analytics.RecentRequestsAsync(count, cancellationToken));
                break;
            case "add" when args.Count >= 3:
                await AddGroupAsync(context, args[1], [.. args.Skip(2)], cancellationToken);
                break;
            default:
                throw new UsageException($"'{string.Join(' ', args)}' is not a perf command.");
        }
    }

    private static async Task AddGroupAsync(ReplContext context, string name, IReadOnlyList<string> prefixes, CancellationToken cancellationToken)
    {
        var answer = await context.Analytics.AddGroupAsync(name, prefixes, cancellationToken);
        context.Console.Line($"Group '{name}' counts frames starting with {string.Join(", ", prefixes)}.");
        foreach (var group in answer.Items("groups"))
        {
            var members = group.Items("prefixes").Select(p => p.GetValue<string>()).ToList();
            context.Console.Line($"  {group.Text("name"),-12} {(members.Count > 0 ? string.Join(", ", members) : group.Text("rule") ?? "")}");
        }
    }
}
