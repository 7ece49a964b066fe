namespace Dnet.Planner.Topology;

/// <summary>Layers [<paramref name="Start"/>, <paramref name="End"/>) on <paramref name="Node"/>.</summary>
public sealed record LayerAssignment(string Node, int Start, int End)
{
    public int Count => End - Start;

    public override string ToString() => $"{Node} [{Start}, {End})";
}
