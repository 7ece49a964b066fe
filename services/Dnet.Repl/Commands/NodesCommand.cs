using System.Text.Json.Nodes;
using Dnet.Repl.Clients;
using Spectre.Console;

namespace Dnet.Repl.Commands;

/// <summary>
/// <c>nodes</c>: every shard the planner knows, with its layers in the loaded ring and its health as the gateway sees it
/// now (a status RPC per shard), never a fixed word.
/// </summary>
internal static class NodesCommand
{
    public static ReplCommand Command { get; } = new("nodes", "nodes", "Shards: address, layers, health and device profile.", RunAsync);

    private static async Task RunAsync(ReplContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var devicesCall = context.Gateway.DevicesAsync(cancellationToken);
        var topologyCall = context.Gateway.TopologyAsync(cancellationToken);
        var (devices, devicesError) = await Attempt(devicesCall);
        var (topology, topologyError) = await Attempt(topologyCall);

        // No answer at all from the gateway: one error line says so.
        if (devicesError is { Status: null })
        {
            throw devicesError;
        }

        var profiles = devices.Items("devices").ToDictionary(d => d.Text("node") ?? "?");
        var unreachable = devices.Items("unreachable").ToDictionary(d => d.Text("node") ?? "?");
        var ring = topology.Items("shards").ToDictionary(s => s.Text("node") ?? "?");

        var table = new Table().AddColumns("Node", "Address", ShardTables.LayersColumn, "Health", "Profile");
        foreach (var node in profiles.Keys.Union(unreachable.Keys).Union(ring.Keys).NodeOrder())
        {
            var shard = ring.GetValueOrDefault(node);
            var device = profiles.GetValueOrDefault(node);
            var address = shard.Text("address") ?? device.Text("address") ?? unreachable.GetValueOrDefault(node).Text("address");
            table.AddRow(
                ShardTables.Cell(node),
                ShardTables.Cell(address),
                ShardTables.Cell(ShardTables.Layers(shard)),
                Health(shard, unreachable.GetValueOrDefault(node)),
                ShardTables.Cell(device is null ? "-" : ShardTables.Profile(device)));
        }

        context.Console.Write(table);
        if (devicesError is not null)
        {
            context.Console.Error($"no device profiles: {devicesError.Url}: {devicesError.Reason}");
        }

        context.Console.Note(topologyError is null
            ? $"model {topology.Text("model") ?? "?"} loaded on {ring.Count} shard(s)"
            : $"no ring: {topologyError.Reason}");
    }

    private static string Health(JsonNode? shard, JsonNode? unreachable)
    {
        if (shard is not null)
        {
            return shard.Flag("healthy") == true
                ? $"[green]serving[/] ({shard.Text("active_sequences") ?? "0"} active)"
                : $"[red]not answering[/]: {ShardTables.Cell(shard.Text("error"))}";
        }

        return unreachable is not null
            ? $"[red]unreachable[/]: {ShardTables.Cell(unreachable.Text("error"))}"
            : "[yellow]idle[/] (no layers)";
    }

    private static async Task<(JsonNode? Value, ServiceCallException? Error)> Attempt(Task<JsonNode?> call)
    {
        try
        {
            return (await call, null);
        }
        catch (ServiceCallException exception)
        {
            return (null, exception);
        }
    }
}
