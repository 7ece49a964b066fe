namespace Dnet.Perf.Tests;

internal static class Row
{
    public static AnnotateRow Named(this AnnotateTable table, string name) =>
        table.Rows.Single(row => row.Name == name);

    public static GroupTime Group(this NodeStats node, string group) =>
        node.Groups.Single(time => time.Group == group);

    public static NodeStats Node(this RequestStats stats, string node) =>
        stats.Nodes.Single(n => n.Node == node);
}
