using System.Globalization;
using System.Text.Json.Nodes;
using Dnet.Repl.Clients;
using Spectre.Console;

namespace Dnet.Repl.Commands;

/// <summary><c>models</c>, <c>load [model]</c> and <c>unload</c>.</summary>
internal static class ModelCommands
{
    public static IEnumerable<ReplCommand> Commands { get; } =
    [
        new("models", "models", "Models the gateway serves now.", ModelsAsync),
        new("load", "load [model]", "Plan a topology and load a model (the current or default one when none is named).", LoadAsync),
        new("unload", "unload", "Unload the model from every shard.", UnloadAsync),
    ];

    private static async Task ModelsAsync(ReplContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var models = (await context.Gateway.ModelsAsync(cancellationToken)).Items("data").ToList();
        if (models.Count == 0)
        {
            context.Console.Line("No model is loaded. Run 'load [model]'.");
            return;
        }

        var table = new Table().AddColumns("Model", "Loaded at (UTC)", "Owned by");
        foreach (var model in models)
        {
            var created = model.Number("created") is { } seconds
                ? DateTimeOffset.FromUnixTimeSeconds((long)seconds).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
                : null;
            table.AddRow(ShardTables.Cell(model.Text("id")), ShardTables.Cell(created), ShardTables.Cell(model.Text("owned_by")));
        }

        context.Console.Write(table);
    }

    private static async Task LoadAsync(ReplContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args.Count > 1)
        {
            throw new UsageException("load takes at most one model name.");
        }

        context.Console.Note("planning and loading; this can take a while (Ctrl+C to stop waiting)");
        PrintLoaded(context, await context.Gateway.LoadAsync(args.FirstOrDefault(), null, cancellationToken));
    }

    private static async Task UnloadAsync(ReplContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var answer = await context.Gateway.UnloadAsync(cancellationToken);
        context.Console.Line(answer.Flag("unloaded") == false ? "The gateway did not unload the model." : "Unloaded: no model is served now.");
    }

    /// <summary>The answer of <c>/v1/cluster/load</c>: the model and the ring it was loaded on.</summary>
    public static void PrintLoaded(ReplContext context, JsonNode? loaded)
    {
        context.Console.Line($"Loaded {loaded.Text("model") ?? "?"} (context {loaded.Text("context_length") ?? "?"} tokens) on:");
        context.Console.Write(ShardTables.Ring(loaded.Items("shards")));
    }
}
