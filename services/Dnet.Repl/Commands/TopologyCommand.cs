using System.Globalization;
using System.Text.RegularExpressions;
using Dnet.Repl.Clients;
using Spectre.Console;

namespace Dnet.Repl.Commands;

/// <summary><c>topology show</c> (the loaded ring), <c>topology plan [model]</c> (ask the planner), <c>topology assign</c> (manual load).</summary>
internal static partial class TopologyCommand
{
    private const string Usage = "topology [show | plan [model] | assign <node> <start>-<end> ... [model=<model>]]";

    public static ReplCommand Command { get; } = new("topology", Usage, "Show, plan, or assign by hand the layer ranges of the ring.", RunAsync)
    {
        Subcommands = ["show", "plan", "assign"],
    };

    private static Task RunAsync(ReplContext context, IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        (args.FirstOrDefault() ?? "show") switch
        {
            "show" when args.Count <= 1 => ShowAsync(context, cancellationToken),
            "plan" when args.Count <= 2 => PlanAsync(context, args.ElementAtOrDefault(1), cancellationToken),
            "assign" => AssignAsync(context, [.. args.Skip(1)], cancellationToken),
            _ => throw new UsageException($"'{string.Join(' ', args)}' is not a topology command."),
        };

    private static async Task ShowAsync(ReplContext context, CancellationToken cancellationToken)
    {
        var topology = await context.Gateway.TopologyAsync(cancellationToken);
        context.Console.Line($"Model {topology.Text("model") ?? "?"}, context {topology.Text("context_length") ?? "?"} tokens, loaded {topology.Text("loaded_at") ?? "?"}");
        var table = new Table().AddColumns("Ring", "Node", "Address", ShardTables.LayersColumn, "Health");
        var position = 0;
        foreach (var shard in topology.Items("shards"))
        {
            table.AddRow(
                (position++).ToString(CultureInfo.InvariantCulture),
                ShardTables.Cell(shard.Text("node")),
                ShardTables.Cell(shard.Text("address")),
                ShardTables.Cell(ShardTables.Layers(shard)),
                shard.Flag("healthy") == true ? "[green]serving[/]" : $"[red]not answering[/]: {ShardTables.Cell(shard.Text("error"))}");
        }

        context.Console.Write(table);
        context.Console.Line($"State: {topology.Text("state") ?? "?"} ({topology.Text("reason") ?? "-"})");
        var idle = topology.Items("members").Where(m => m.Flag("in_ring") == false).ToList();
        if (idle.Count > 0)
        {
            context.Console.Line($"Members outside the ring: {string.Join(", ", idle.Select(m => $"{m.Text("node")} ({m.Text("address")}, {m.Text("source")})"))}");
        }

        var changes = topology.Items("changes").Take(5).ToList();
        if (changes.Count > 0)
        {
            var history = new Table().AddColumns("When", "Why", "Result", "ms");
            foreach (var change in changes)
            {
                history.AddRow(
                    ShardTables.Cell(change.Text("at")),
                    ShardTables.Cell(change.Text("reason")),
                    change.Flag("succeeded") == true ? ShardTables.Cell(change.Text("ring")) : $"[red]failed[/]: {ShardTables.Cell(change.Text("error"))}",
                    ShardTables.Cell(change.Text("elapsed_ms")));
            }

            context.Console.Line("Recent changes of the ring (newest first):");
            context.Console.Write(history);
        }
    }

    private static async Task PlanAsync(ReplContext context, string? model, CancellationToken cancellationToken)
    {
        var plan = await context.Gateway.PrepareAsync(model, cancellationToken);
        var prediction = plan?["prediction"];
        var predicted = prediction.Items("shards").ToDictionary(s => s.Text("node") ?? "?");
        context.Console.Line($"Plan for {plan.Text("model") ?? model ?? "the current model"} ({plan.Text("mode") ?? "solved"}, {plan.Text("compute_dtype") ?? "?"}):");
        var table = new Table().AddColumns("Ring", "Node", ShardTables.LayersColumn, "Predicted ms/token", "Bound");
        var position = 0;
        foreach (var shard in plan.Items("shards"))
        {
            var cost = predicted.GetValueOrDefault(shard.Text("node") ?? "?");
            table.AddRow(
                (position++).ToString(CultureInfo.InvariantCulture),
                ShardTables.Cell(shard.Text("node")),
                ShardTables.Cell(ShardTables.Layers(shard)),
                ShardTables.Cell(Ms(cost.Number("time_ms"))),
                ShardTables.Cell(cost.Text("bound")));
        }

        context.Console.Write(table);
        if (prediction.Number("total_ms") is { } total)
        {
            context.Console.Note(string.Create(CultureInfo.InvariantCulture,
                $"predicted {total:0.00} ms/token ({prediction.Number("tokens_per_second") ?? 0:0.0} tokens/s), links {prediction.Number("link_ms") ?? 0:0.00} ms; not loaded: run 'load' or 'topology assign'"));
        }
    }

    private static async Task AssignAsync(ReplContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var model = args.FirstOrDefault(a => a.StartsWith("model=", StringComparison.Ordinal))?["model=".Length..];
        var pairs = args.Where(a => !a.StartsWith("model=", StringComparison.Ordinal)).ToList();
        if (pairs.Count == 0 || pairs.Count % 2 != 0)
        {
            throw new UsageException("assign needs one or more '<node> <start>-<end>' pairs, e.g. assign shard-0 0-2 shard-1 2-4.");
        }

        var manual = new Dictionary<string, int[]>();
        for (var i = 0; i < pairs.Count; i += 2)
        {
            if (LayerRange().Match(pairs[i + 1]) is not { Success: true } range)
            {
                throw new UsageException($"'{pairs[i + 1]}' is not a layer range like 0-4 (start inclusive, end exclusive).");
            }

            manual[pairs[i]] = [int.Parse(range.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(range.Groups[2].Value, CultureInfo.InvariantCulture)];
        }

        context.Console.Note("loading the assignment; this can take a while (Ctrl+C to stop waiting)");
        ModelCommands.PrintLoaded(context, await context.Gateway.LoadAsync(model, manual, cancellationToken));
    }

    private static string? Ms(double? value) => value?.ToString("0.000", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(\d{1,5})-(\d{1,5})$")]
    private static partial Regex LayerRange();
}
