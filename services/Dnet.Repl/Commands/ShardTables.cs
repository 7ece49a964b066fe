using System.Globalization;
using System.Text.Json.Nodes;
using Dnet.Repl.Clients;
using Spectre.Console;

namespace Dnet.Repl.Commands;

/// <summary>How shards, layer ranges and device profiles are shown, the same in <c>nodes</c>, <c>topology</c> and <c>load</c>.</summary>
internal static class ShardTables
{
    /// <summary>Column header; the doubled bracket is Spectre markup for a literal one.</summary>
    public const string LayersColumn = "Layers [[start-end)";

    /// <summary>A half-open layer range as typed in <c>topology assign</c>: <c>0-4 (4)</c> is layers 0, 1, 2 and 3.</summary>
    public static string Layers(JsonNode? shard) =>
        shard.Number("layer_start") is { } start && shard.Number("layer_end") is { } end
            ? string.Create(CultureInfo.InvariantCulture, $"{start}-{end} ({end - start})")
            : "-";

    /// <summary>Ring order as the gateway sends it: node, address, layers.</summary>
    public static Table Ring(IEnumerable<JsonNode> shards)
    {
        var table = new Table().AddColumns("Node", "Address", ShardTables.LayersColumn);
        foreach (var shard in shards)
        {
            table.AddRow(Cell(shard.Text("node")), Cell(shard.Text("address")), Cell(Layers(shard)));
        }

        return table;
    }

    public static string Profile(JsonNode device)
    {
        var parts = new List<string>();
        if (device.Number("gflops") is { } gflops)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{gflops:0.0} GFLOP/s"));
        }

        if (device.Number("usable_memory_bytes") is { } memory)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{memory / (1L << 30):0.0} GiB"));
        }

        if (device.Number("cpu_threads") is { } threads)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{threads:0} threads"));
        }

        if (device.Text("compute_dtype") is { } dtype)
        {
            parts.Add(dtype);
        }

        return parts.Count > 0 ? string.Join(", ", parts) : "-";
    }

    public static string Cell(string? text) => Markup.Escape(text ?? "-");

    /// <summary>shard-2 before shard-10.</summary>
    public static IOrderedEnumerable<string> NodeOrder(this IEnumerable<string> nodes) =>
        nodes.OrderBy(node => node.Length).ThenBy(node => node, StringComparer.Ordinal);
}
