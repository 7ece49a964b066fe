using System.Text.Json.Nodes;
using Dnet.Repl.Clients;

namespace Dnet.Repl.Commands;

/// <summary>
/// <c>trace on|off|status|prefix|annotate</c>. Switching goes through the gateway's <c>/v1/trace</c>, which every node
/// applies; status prints what the gateway answered (state, revision, exporter counters), not an assumed word.
/// </summary>
internal static class TraceCommand
{
    private const string Usage =
        "trace on | off | status | prefix [<prefix>...] | annotate [--request ID] [--last N] [--node N] [--prefix P] [--exclude-wait]";

    private static readonly string[] AnnotateValues = ["request", "last", "node", "prefix", "service", "since", "until", "sort"];
    private static readonly string[] AnnotateFlags = ["exclude-wait"];

    public static ReplCommand Command { get; } = new("trace", Usage, "Switch frame recording and show where the time went (perf annotate).", RunAsync)
    {
        Subcommands = ["on", "off", "status", "prefix", "annotate"],
    };

    private static async Task RunAsync(ReplContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var rest = args.Skip(1).ToList();
        switch (args.FirstOrDefault() ?? "status")
        {
            case "status" when rest.Count == 0:
                PrintStatus(context, await context.Gateway.TraceAsync(cancellationToken));
                break;
            case "on" when rest.Count == 0:
                await ChangeAsync(context, enabled: true, prefixes: null, cancellationToken);
                break;
            case "off" when rest.Count == 0:
                await ChangeAsync(context, enabled: false, prefixes: null, cancellationToken);
                break;
            case "prefix":
                await ChangeAsync(context, enabled: null, prefixes: rest, cancellationToken);
                break;
            case "annotate":
                await AnnotateAsync(context, rest, cancellationToken);
                break;
            default:
                throw new UsageException($"'{string.Join(' ', args)}' is not a trace command.");
        }
    }

    /// <summary>Changes one half of the state and keeps the other as the gateway holds it now.</summary>
    private static async Task ChangeAsync(ReplContext context, bool? enabled, IReadOnlyList<string>? prefixes, CancellationToken cancellationToken)
    {
        var current = await context.Gateway.TraceAsync(cancellationToken);
        var applied = await context.Gateway.SetTraceAsync(
            enabled ?? current.Flag("enabled") ?? true,
            prefixes ?? Prefixes(current),
            cancellationToken);
        PrintStatus(context, applied);
        context.Console.Note("every node applies the change within about a second");
    }

    private static void PrintStatus(ReplContext context, JsonNode? status)
    {
        var prefixes = Prefixes(status);
        var enabled = status.Flag("enabled") switch
        {
            true => "on",
            false => "off",
            null => "unknown (the gateway did not say)",
        };
        context.Console.Line($"Tracing {enabled} (node {status.Text("node") ?? "?"}, revision {status.Text("revision") ?? "?"}); frames: {(prefixes.Count == 0 ? "all" : string.Join(", ", prefixes))}");
        if (status?["exporter"] is JsonObject exporter)
        {
            context.Console.Line(
                $"Exporter: sink {exporter.Text("sink") ?? "?"}, {exporter.Text("exported_spans") ?? "?"} spans exported: " +
                $"{exporter.Text("written_spans") ?? "?"} written, {exporter.Text("buffered_spans") ?? "?"} buffered, " +
                $"{exporter.Text("dropped_spans") ?? "?"} dropped; {exporter.Text("batches") ?? "?"} batches ({exporter.Text("failed_writes") ?? "?"} failed writes, retried)");
        }
    }

    private static List<string> Prefixes(JsonNode? status) =>
        [.. status.Items("include_prefixes").Select(p => p.GetValue<string>())];

    private static async Task AnnotateAsync(ReplContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var options = CommandOptions.Parse(args, AnnotateValues, AnnotateFlags);
        var query = options.Select(option => KeyValuePair.Create(option.Key.Replace('-', '_'), option.Value));
        context.Console.Verbatim(await context.Analytics.AnnotateAsync(query, cancellationToken));
    }
}
